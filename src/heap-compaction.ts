// Loading a posture leaves V8's young generation grown to its limit (the image caps each
// semi-space at 16 MB) and its pages committed. Under load that size is what keeps collections
// cheap, but an idle server never collects, so it would keep about 20 MB it no longer needs. One
// memory-reducing collection, after the first load and before the first answer, shrinks the young
// generation to its minimum and hands freed pages back; under load it grows again within seconds.
//
// Node has no API for that collection. V8's gc extension does it (`flavor: 'last-resort'`), and is
// reachable without `--expose-gc` on the command line: with the flag switched on, a new vm context
// gets a `gc` function. The flag goes back off at once, so no other context (a worker, a plugin)
// sees one.
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

export interface HeapCompaction {
  /** The heap's committed memory before and after, in bytes. */
  readonly physicalBefore: number
  readonly physicalAfter: number
  /** How long the collection paused the process. */
  readonly pauseMs: number
}

/** Why no compaction happened: a Node whose V8 no longer offers the collection. */
export interface HeapCompactionFailure {
  readonly failed: string
}

type GcExtension = (options: { type: 'major', execution: 'sync', flavor: 'last-resort' }) => void

const lastResortCollection = (): void => { gcExtension()({ type: 'major', execution: 'sync', flavor: 'last-resort' }) }

/**
 * Runs one memory-reducing full collection, synchronously. It only saves memory, so a failure is
 * reported, never thrown: start-up goes on without it.
 */
export function compactHeap (collect: () => void = lastResortCollection): HeapCompaction | HeapCompactionFailure {
  const physicalBefore = getHeapStatistics().total_physical_size
  const started = process.hrtime.bigint()
  try {
    collect()
  } catch (err) {
    return { failed: err instanceof Error ? err.message : String(err) }
  }
  const pauseMs = Number(process.hrtime.bigint() - started) / 1e6
  return { physicalBefore, physicalAfter: getHeapStatistics().total_physical_size, pauseMs }
}

function gcExtension (): GcExtension {
  // Started with --expose-gc: the flag is the operator's, so it is left as it is.
  const exposed = (globalThis as { gc?: unknown }).gc
  if (typeof exposed === 'function') return exposed as GcExtension
  setFlagsFromString('--expose-gc')
  try {
    return runInNewContext('gc') as GcExtension
  } finally {
    setFlagsFromString('--no-expose-gc')
  }
}
