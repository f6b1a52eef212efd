import type { KeyObject } from 'node:crypto'
import { chainMatches, GENESIS, parseSealedLine, timeOfLine, type ChainHead, type SealedLine } from './audit-chain.ts'

/** One line of input, and where it came from for the report. */
export interface AuditLine {
  readonly file: string
  /** 1-based line number within its file. */
  readonly line: number
  readonly text: string
}

export type ChainProblemKind = 'malformed' | 'edited' | 'inserted' | 'deleted' | 'reordered' | 'truncated' | 'checkpoint_mismatch'

export interface ChainProblem {
  readonly kind: ChainProblemKind
  /** `file:line: ` of the first line found wrong, or empty for a whole-log problem. */
  readonly where: string
  readonly message: string
}

export interface ChainReport {
  /** Sealed lines checked. */
  readonly lines: number
  /** The seq of the first line checked. */
  readonly firstSeq: number | undefined
  /** The last line checked: a checkpoint to store elsewhere. */
  readonly last: (ChainHead & { readonly time: string | null }) | undefined
  /** Things that are not proof of tampering but limit what was proved. */
  readonly warnings: string[]
  readonly problem: ChainProblem | undefined
}

interface Cursor {
  next: () => Promise<AuditLine | undefined>
  pushBack: (line: AuditLine) => void
}

/**
 * Walks the chain line by line and stops at the first line that was edited, inserted, deleted
 * or moved. Lines cut off the end leave no trace in what remains: only `checkpoint` (an earlier
 * `seq` and `chain`, kept elsewhere) can show them missing.
 */
export async function verifyChain (input: AsyncIterable<AuditLine>, key: KeyObject, checkpoint?: ChainHead): Promise<ChainReport> {
  const cursor = cursorOver(input)
  const walk = new ChainWalk(key, checkpoint)
  for (let line = await cursor.next(); line !== undefined; line = await cursor.next()) {
    if (line.text.trim() === '') continue
    const where = `${line.file}:${line.line}: `
    const sealed = parseSealedLine(line.text)
    if (sealed === undefined) {
      return walk.report({ kind: 'malformed', where, message: 'not a sealed cpxd audit line (no "seq" and "chain" at its end): inserted, damaged, or written without a chain' })
    }
    const previous = walk.expectBefore(line, sealed, where)
    if (previous === undefined) continue
    if (sealed.seq !== walk.expected) return walk.report(await sequenceProblem(where, sealed.seq, walk.expected, cursor))
    if (!chainMatches(key, previous, sealed)) return walk.report(await contentProblem(where, key, previous, sealed, cursor))
    walk.accept(line, sealed, where)
  }
  return walk.finish()
}

/** What verifyChain knows so far, line by line. */
class ChainWalk {
  readonly warnings: string[] = []
  /** The seq the next line must carry. */
  expected = 0
  private readonly key: KeyObject
  private readonly checkpoint: ChainHead | undefined
  private previous: string | undefined
  private count = 0
  private firstSeq: number | undefined
  private last: { line: AuditLine, sealed: SealedLine } | undefined
  private checkpointMatched = false
  // After a chain restart a seq comes round again, so one line with the checkpoint's seq and
  // another chain value is only a failure if no line matches.
  private checkpointMismatch: ChainProblem | undefined

  constructor (key: KeyObject, checkpoint: ChainHead | undefined) {
    this.key = key
    this.checkpoint = checkpoint
  }

  report (problem?: ChainProblem): ChainReport {
    const last = this.last
    return {
      lines: this.count,
      firstSeq: this.firstSeq,
      last: last === undefined ? undefined : { seq: last.sealed.seq, chain: last.sealed.chain, time: timeOfLine(last.line.text) || null },
      warnings: this.warnings,
      problem
    }
  }

  /**
   * The chain value this line must continue from, or undefined when the line is taken as given
   * (the input starts inside the chain, with nothing to check its first line against).
   */
  expectBefore (line: AuditLine, sealed: SealedLine, where: string): string | undefined {
    if (this.previous === undefined) {
      this.firstSeq = sealed.seq
      const anchor = anchorOf(line.text, sealed, this.checkpoint)
      if (anchor === undefined) {
        this.warnings.push(`${where}the input starts inside the chain, at seq ${sealed.seq}: this first line is taken as given, since checking it needs the line before it (add the earlier file, or pass --checkpoint)`)
        this.advance(line, sealed)
        return undefined
      }
      this.previous = anchor
      this.expected = sealed.seq
      // A checkpoint that anchors the first line is compared by that line's chain check.
      if (this.checkpoint?.seq === sealed.seq - 1) this.checkpointMatched = true
    } else if (sealed.seq === 1 && this.expected !== 1 && chainMatches(this.key, GENESIS, sealed)) {
      this.warnings.push(`${where}a new chain starts here (cpxd found no sealed line to continue from when it opened the log): lines before it could have been cut off unnoticed`)
      this.previous = GENESIS
      this.expected = 1
    }
    return this.previous
  }

  /** A line whose seq and chain value checked out. */
  accept (line: AuditLine, sealed: SealedLine, where: string): void {
    const checkpoint = this.checkpoint
    if (checkpoint !== undefined && sealed.seq === checkpoint.seq) {
      if (sealed.chain === checkpoint.chain) this.checkpointMatched = true
      else this.checkpointMismatch ??= { kind: 'checkpoint_mismatch', where, message: `seq ${sealed.seq} does not carry the checkpoint's chain value: this log is not the one the checkpoint was taken from, or it was rewritten from here back` }
    }
    this.advance(line, sealed)
  }

  private advance (line: AuditLine, sealed: SealedLine): void {
    this.previous = sealed.chain
    this.expected = sealed.seq + 1
    this.count++
    this.last = { line, sealed }
  }

  /** The end of the input: was the checkpoint seen, and if not, were lines cut off? */
  finish (): ChainReport {
    const { checkpoint, last } = this
    if (checkpoint === undefined || this.checkpointMatched) return this.report()
    if (this.checkpointMismatch !== undefined) return this.report(this.checkpointMismatch)
    if (last === undefined || last.sealed.seq < checkpoint.seq) {
      return this.report({ kind: 'truncated', where: '', message: `the log ends at seq ${last?.sealed.seq ?? 0} but the checkpoint records seq ${checkpoint.seq}: lines were cut off the end` })
    }
    this.warnings.push(`the checkpoint (seq ${checkpoint.seq}) is older than the first line given, so it was not compared`)
    return this.report()
  }
}

/** The chain value before a first line, when something vouches for it. */
function anchorOf (text: string, sealed: SealedLine, checkpoint: ChainHead | undefined): string | undefined {
  if (sealed.seq === 1) return GENESIS
  if (checkpoint !== undefined && checkpoint.seq === sealed.seq - 1) return checkpoint.chain
  // A file cpxd opened starts with audit_log_opened, which names the chain value it continues.
  const opened = parse(text)
  const previous = opened?.event === 'audit_log_opened' ? opened.previous as Partial<ChainHead> | null : null
  return previous?.seq === sealed.seq - 1 && typeof previous.chain === 'string' ? previous.chain : undefined
}

async function sequenceProblem (where: string, seq: number, expected: number, cursor: Cursor): Promise<ChainProblem> {
  if (seq < expected) {
    return { kind: 'inserted', where, message: `seq ${seq} where seq ${expected} was expected: an earlier line already had it, so this line was copied or inserted` }
  }
  const later = await remainingSeqs(cursor)
  if (later.has(expected)) {
    return { kind: 'reordered', where, message: `seq ${seq} where seq ${expected} was expected, and seq ${expected} comes later: lines were moved` }
  }
  const missing = seq - expected
  return {
    kind: 'deleted',
    where,
    message: `seq ${seq} where seq ${expected} was expected: ${missing === 1 ? `the line with seq ${expected} was` : `${missing} lines (seq ${expected}-${seq - 1}) were`} deleted (or a file is missing from the list)`
  }
}

async function contentProblem (where: string, key: KeyObject, previous: string, sealed: SealedLine, cursor: Cursor): Promise<ChainProblem> {
  // A forged line can copy the next seq, but not the chain value; then the real line follows it.
  const after = await cursor.next()
  if (after !== undefined) {
    cursor.pushBack(after)
    const next = parseSealedLine(after.text)
    if (next !== undefined && next.seq === sealed.seq && chainMatches(key, previous, next)) {
      return { kind: 'inserted', where, message: `seq ${sealed.seq}: this line is not in the chain, and the line after it is the real seq ${sealed.seq}` }
    }
  }
  return { kind: 'edited', where, message: `seq ${sealed.seq}: the line's content does not match its chain value (edited, or sealed with another key)` }
}

async function remainingSeqs (cursor: Cursor): Promise<Set<number>> {
  const seqs = new Set<number>()
  for (let line = await cursor.next(); line !== undefined; line = await cursor.next()) {
    const seq = parseSealedLine(line.text)?.seq
    if (seq !== undefined) seqs.add(seq)
  }
  return seqs
}

function cursorOver (input: AsyncIterable<AuditLine>): Cursor {
  const iterator = input[Symbol.asyncIterator]()
  const back: AuditLine[] = []
  return {
    next: async () => {
      const pushed = back.pop()
      if (pushed !== undefined) return pushed
      const result = await iterator.next()
      return result.done === true ? undefined : result.value
    },
    pushBack: (line) => { back.push(line) }
  }
}

function parse (text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}
