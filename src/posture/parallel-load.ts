import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { documentSchema, type PostureDocument } from './document.ts'
import { fileDocument, loadPostureDocuments, loadPostureFile, postureFiles } from './loader.ts'

export interface ParallelLoadOptions {
  /** Below this many files one thread parses them all: a worker costs more than it saves. */
  readonly minFiles?: number
  /** At most this many workers (default: the cores available, up to 4). */
  readonly maxWorkers?: number
}

const DEFAULT_MIN_FILES = 200
/** A worker is started for every this many files at most: starting one costs about 50 files' parsing. */
const MIN_FILES_PER_WORKER = 50
const WORKER_YOUNG_GENERATION_MB = 32

/**
 * loadPostureDocuments, with the YAML parsed in worker threads when a folder holds many files:
 * parsing is nearly all of loading (0.7 ms for a 2 KB tenant file, 3.6 s of 5,000), it spreads
 * over every core, and its garbage dies with the worker instead of growing this process's heap.
 * Validation stays here, in order, and a file that fails anything is read again here, so every
 * error names file, line, path and reason exactly as a single-threaded load does.
 */
export async function loadPostureDocumentsInParallel (dir: string, options: ParallelLoadOptions = {}): Promise<Map<string, PostureDocument>> {
  const files = postureFiles(dir)
  const workers = Math.min(options.maxWorkers ?? Math.min(4, availableParallelism()), Math.ceil(files.length / MIN_FILES_PER_WORKER))
  if (files.length < (options.minFiles ?? DEFAULT_MIN_FILES) || workers < 2) return loadPostureDocuments(dir, files)
  const chunk = Math.ceil(files.length / workers)
  const parts = await Promise.all(Array.from({ length: workers }, async (_, index) => parseInWorker(files.slice(index * chunk, (index + 1) * chunk).map((f) => f.file))))
  const parsed = parts.flat()
  const documents = new Map<string, PostureDocument>()
  files.forEach(({ tenant, file }, index) => {
    const data = parsed[index]
    const valid = data === null ? undefined : documentSchema.safeParse(data)
    documents.set(tenant, valid?.success === true ? fileDocument(file, valid.data) : loadPostureFile(file))
  })
  return documents
}

/** The worker runs the same module format as this one: TypeScript from source, JavaScript in dist. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './parse-worker.ts' : './parse-worker.js', import.meta.url)

async function parseInWorker (files: readonly string[]): Promise<unknown[]> {
  // A small young generation: V8 would grow it to over 100 MB while parsing, and that memory
  // stays with the process after the worker is gone.
  const worker = new Worker(WORKER_URL, { workerData: { files }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } })
  try {
    return await new Promise<unknown[]>((resolve, reject) => {
      worker.once('message', (data: unknown[]) => { resolve(data) })
      worker.once('error', reject)
      worker.once('exit', (code) => { reject(new Error(`a posture parsing worker exited with ${code} before answering`)) })
    })
  } finally {
    await worker.terminate()
  }
}
