import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { isNode, LineCounter, parseDocument, type Document } from 'yaml'
import type { ZodError, ZodType } from 'zod'
import { StartupError } from '../startup-error.ts'

/** A parsed YAML or JSON file that can say where a path in it sits, for error messages. */
export interface SourceFile {
  readonly file: string
  readonly data: unknown
  /** `line L` of the node at `path`, or '' when the path is not in the file (a missing key). */
  locate (path: ReadonlyArray<PropertyKey>): string
}

/** Largest config or posture file cpxd reads; a bigger one is a mistake, not a posture. */
export const MAX_SOURCE_BYTES = 8 * 1024 * 1024

export function readSourceFile (file: string): SourceFile {
  let text: string
  try {
    const buffer = readFileSync(file)
    if (buffer.byteLength > MAX_SOURCE_BYTES) {
      throw new StartupError(file, '', `file is larger than ${MAX_SOURCE_BYTES} bytes`)
    }
    text = buffer.toString('utf8')
  } catch (err) {
    if (err instanceof StartupError) throw err
    throw new StartupError(file, '', describeFsError(err))
  }
  return parseSource(file, text)
}

export function parseSource (file: string, text: string): SourceFile {
  const lineCounter = new LineCounter()
  // JSON is YAML 1.2, so one parser serves both and gives line numbers for both.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const problem = doc.errors[0]
  if (problem !== undefined) {
    const where = lineCounter.linePos(problem.pos[0])
    const kind = extname(file) === '.json' ? 'JSON' : 'YAML'
    throw new StartupError(file, '', `line ${where.line}: not valid ${kind}: ${firstLine(problem.message)}`)
  }
  return {
    file,
    data: doc.toJS({ maxAliasCount: 100 }),
    locate: (path) => locateIn(doc, lineCounter, path)
  }
}

function locateIn (doc: Document, lineCounter: LineCounter, path: ReadonlyArray<PropertyKey>): string {
  const node = doc.getIn(path.map((key) => (typeof key === 'symbol' ? String(key) : key)), true)
  if (!isNode(node) || node.range === undefined || node.range === null) return ''
  return `line ${lineCounter.linePos(node.range[0]).line}`
}

/** `frameworks[0].controls[2].status`, the way people read a path in a YAML file. */
export function formatPath (path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out === '' ? String(key) : `.${String(key)}`
  }
  return out
}

/** Validates with zod and turns the first issue into a StartupError naming file, path, line. */
export function parseWith<T> (source: SourceFile, schema: ZodType<T>): T {
  const result = schema.safeParse(source.data)
  if (result.success) return result.data
  throw toStartupError(source, result.error)
}

export function toStartupError (source: SourceFile, error: ZodError): StartupError {
  const issue = error.issues[0]
  if (issue === undefined) return new StartupError(source.file, '', 'invalid')
  const path = formatPath(issue.path)
  const line = source.locate(issue.path)
  const reason = line === '' ? issue.message : `${issue.message} (${line})`
  return new StartupError(source.file, path === '' ? '(root)' : path, reason)
}

function firstLine (message: string): string {
  return message.split('\n')[0] ?? message
}

function describeFsError (err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return 'file not found'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory, not a file'
  return `cannot be read (${code ?? 'unknown error'})`
}
