import { closeSync, fstatSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

const RESOLVED: Promise<void> = Promise.resolve()

/**
 * A pino destination that writes the lines of one event-loop turn with one write(2), and
 * tells each caller when its line is in the kernel. A response waits for `written()`, so every
 * access is recorded before its answer leaves, as with a synchronous write per line, but under
 * load fifty requests share one syscall instead of making fifty (group commit, as databases
 * do for their logs). A line in the kernel survives SIGKILL of the process; only a host crash
 * can lose it, which fsync per line would prevent at a cost no access log pays.
 */
export class GroupCommitFile {
  private fd: number
  private readonly path: string
  private pending: string[] = []
  private batch: PromiseWithResolvers<void> | undefined
  /** Set after a failed write: the next batch reopens the path first. */
  private broken = false

  /** `path` is a file to append to, or `-` for stdout. */
  constructor (path: string) {
    this.path = path
    this.fd = path === '-' ? 1 : openAppend(path)
  }

  /**
   * Opens the path anew (SIGHUP after logrotate renamed the file). Lines written before it are in
   * the renamed file, lines after it in the new one: none is lost.
   */
  reopen (): void {
    if (this.path === '-') return
    const fd = openAppend(this.path)
    const old = this.fd
    this.fd = fd
    this.broken = false
    if (old >= 0) closeSync(old)
  }

  /** pino's destination interface: takes one serialized line, newline included. */
  write (line: string): boolean {
    this.pending.push(line)
    if (this.batch === undefined) {
      this.batch = Promise.withResolvers<void>()
      // Catch here so a failed batch nobody awaits is not an unhandled rejection.
      this.batch.promise.catch(() => {})
      setImmediate(this.flushBatch)
    }
    return true
  }

  /** Resolves once every line written so far is in the kernel; rejects if that write failed. */
  written (): Promise<void> {
    return this.batch?.promise ?? RESOLVED
  }

  /** Writes whatever is pending now (pino calls this on `logger.flush()` and at exit). */
  flushSync (): void {
    this.flushBatch()
  }

  flush (callback?: (err?: Error) => void): void {
    try {
      this.flushBatch()
      callback?.()
    } catch (err) {
      callback?.(err as Error)
    }
  }

  close (): void {
    this.flushSync()
    if (this.fd !== 1) closeSync(this.fd)
    this.fd = -1
  }

  private readonly flushBatch = (): void => {
    const batch = this.batch
    if (batch === undefined) return
    const data = Buffer.from(this.pending.join(''), 'utf8')
    this.pending = []
    this.batch = undefined
    try {
      if (this.broken || this.moved()) this.reopen()
      writeAll(this.fd, data)
      batch.resolve()
    } catch (err) {
      this.broken = true
      batch.reject(new Error(`audit log ${this.path} cannot be written: ${(err as NodeJS.ErrnoException).code ?? 'error'}`))
    }
  }

  /**
   * True when the path no longer names the open file (renamed, removed, replaced). Appending to an
   * unlinked file succeeds silently, so without this check lines would vanish into it.
   */
  private moved (): boolean {
    if (this.path === '-') return false
    try {
      const current = statSync(this.path)
      const open = fstatSync(this.fd)
      return current.ino !== open.ino || current.dev !== open.dev
    } catch {
      return true
    }
  }
}

function openAppend (path: string): number {
  mkdirSync(dirname(path), { recursive: true })
  return openSync(path, 'a', 0o640)
}

/** write(2) may write less than asked (a full pipe, a signal); finish the rest. */
function writeAll (fd: number, data: Buffer): void {
  let offset = 0
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset)
}
