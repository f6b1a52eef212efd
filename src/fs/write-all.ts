import { writeSync } from 'node:fs'

/** How long a write may wait on a full pipe before it counts as failed. */
export const MAX_PIPE_WAIT_MS = 1000

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/**
 * Writes all of `data`: write(2) may write less than asked (a full pipe, a signal), and on a
 * non-blocking pipe (stdout to a slow collector) it fails with EAGAIN until the reader catches up.
 * Then it waits a millisecond at a time, as a synchronous logger must, for at most `maxWaitMs`;
 * a reader stuck longer makes the write fail, which fail-closed turns into 503s rather than
 * unbounded memory. `progress.bytes` says how much was written, also when it throws.
 */
export function writeAll (fd: number, data: Uint8Array, progress: { bytes: number }, maxWaitMs = MAX_PIPE_WAIT_MS): void {
  let waited = 0
  while (progress.bytes < data.length) {
    try {
      progress.bytes += writeSync(fd, data, progress.bytes, data.length - progress.bytes)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || waited >= maxWaitMs) throw err
      Atomics.wait(sleeper, 0, 0, 1)
      waited++
    }
  }
}
