import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { writeAll } from '../fs/write-all.ts'
import { openedLine, type AuditChain, type ChainHead, type OpenReason } from './audit-chain.ts'

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
  private readonly chain: AuditChain | undefined
  private pending: string[] = []
  private batch: PromiseWithResolvers<void> | undefined
  /** Set after a failed write: the next batch reopens the path first. */
  private broken = false
  /** Set when a file was opened and its `audit_log_opened` line is not written yet. */
  private opened: OpenReason | undefined
  /** Lines lost to failed writes since the last good one, for the next `audit_log_opened`. */
  private unwritten = 0

  /**
   * `path` is a file to append to, or `-` for stdout. With a chain, every line gets `seq` and
   * `chain`, and each file cpxd opens starts with an `audit_log_opened` line.
   */
  constructor (path: string, chain?: AuditChain) {
    this.path = path
    this.chain = chain
    this.fd = path === '-' ? 1 : openAppend(path)
    this.announce('start')
  }

  /**
   * After logrotate renamed the file and signalled (SIGHUP): opens the path anew. Lines written
   * before stay in the renamed file, lines after go to the new one: none is lost. A signal
   * without a rename changes nothing, so a posture reload adds no line.
   */
  reopen (): void {
    if (this.path === '-') return
    // Pending lines go out first; a batch that finds the file moved opens the new one itself.
    this.flushBatch()
    if (!this.moved()) return
    this.swapFd()
    this.announce('reopen')
  }

  /** pino's destination interface: takes one serialized line, newline included. */
  write (line: string): boolean {
    this.pending.push(escapeInvisible(line))
    this.schedule()
    return true
  }

  /** Resolves once every line written so far is in the kernel; rejects if that write failed. */
  written (): Promise<void> {
    return this.batch?.promise ?? RESOLVED
  }

  /** Where the chain stands after the last line written (undefined without a chain). */
  get head (): ChainHead | undefined {
    return this.chain?.head
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

  private announce (reason: OpenReason): void {
    if (this.chain === undefined) return
    this.opened = reason
    this.schedule()
  }

  private schedule (): void {
    if (this.batch !== undefined) return
    this.batch = Promise.withResolvers<void>()
    // Catch here so a failed batch nobody awaits is not an unhandled rejection.
    this.batch.promise.catch(() => {})
    setImmediate(this.flushBatch)
  }

  private readonly flushBatch = (): void => {
    const batch = this.batch
    if (batch === undefined) return
    const lines = this.pending
    this.pending = []
    this.batch = undefined
    const progress = { bytes: 0 }
    try {
      if (this.broken) this.reopenAfter('recovered')
      else if (this.moved()) this.reopenAfter('moved')
      const sealed = this.sealed(lines)
      writeAll(this.fd, Buffer.from(sealed.text, 'utf8'), progress)
      sealed.commit()
      this.opened = undefined
      this.unwritten = 0
      batch.resolve()
    } catch (err) {
      this.broken = true
      this.unwritten += lines.length
      // A part of the batch may be in the file; cut it off so no torn line stays behind.
      if (progress.bytes > 0 && this.fd !== 1) tryTruncate(this.fd, progress.bytes)
      batch.reject(new Error(`audit log ${this.path} cannot be written: ${(err as NodeJS.ErrnoException).code ?? 'error'}`))
    }
  }

  private sealed (lines: string[]): { text: string, commit: () => void } {
    if (this.chain === undefined) return { text: lines.join(''), commit: () => {} }
    const all = this.opened === undefined ? lines : [openedLine(this.opened, this.chain.head, this.unwritten), ...lines]
    const sealed = this.chain.seal(all)
    // A file just opened may end in a line torn by a crash, which would swallow the first new one.
    return this.opened !== undefined && this.fd !== 1 && endsMidLine(this.fd) ? { ...sealed, text: `\n${sealed.text}` } : sealed
  }

  private reopenAfter (reason: OpenReason): void {
    this.swapFd()
    this.broken = false
    if (this.chain !== undefined) this.opened = reason
  }

  private swapFd (): void {
    const fd = openAppend(this.path)
    const old = this.fd
    this.fd = fd
    if (old >= 0) closeSync(old)
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
  // Read as well as append, to see whether the file ends in the middle of a line.
  return openSync(path, 'a+', 0o640)
}

function endsMidLine (fd: number): boolean {
  const { size } = fstatSync(fd)
  if (size === 0) return false
  const last = Buffer.alloc(1)
  try {
    readSync(fd, last, 0, 1, size - 1)
  } catch {
    return false
  }
  return last[0] !== 0x0a
}

/** Removes the last `bytes` of the file, where a failed batch left part of itself; best effort. */
function tryTruncate (fd: number, bytes: number): void {
  try {
    ftruncateSync(fd, Math.max(0, fstatSync(fd).size - bytes))
  } catch {}
}

/**
 * Characters JSON leaves as they are but a terminal or an editor acts on: C1 controls (U+0080 to
 * U+009F, some terminals take U+009B as an escape sequence) and the bidirectional overrides and
 * isolates that make text read in another order than it is stored (Trojan Source). A client can
 * put them in a path or a user agent, so they are written as \u escapes: the file shows them, and
 * the line parses back to the same value. They only ever occur inside JSON strings.
 */
const INVISIBLE = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

function escapeInvisible (line: string): string {
  INVISIBLE.lastIndex = 0
  if (!INVISIBLE.test(line)) return line
  return line.replace(INVISIBLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
