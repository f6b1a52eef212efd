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
  const warnings: string[] = []
  let previous: string | undefined
  let expected = 0
  let count = 0
  let last: { line: AuditLine, sealed: SealedLine } | undefined
  let checkpointMatched = false
  // After a chain restart a seq comes round again, so one line with the checkpoint's seq and
  // another chain value is only a failure if no line matches.
  let checkpointMismatch: ChainProblem | undefined
  let firstSeq: number | undefined
  const report = (problem?: ChainProblem): ChainReport => ({
    lines: count,
    firstSeq,
    last: last === undefined ? undefined : { seq: last.sealed.seq, chain: last.sealed.chain, time: timeOfLine(last.line.text) || null },
    warnings,
    problem
  })

  for (let line = await cursor.next(); line !== undefined; line = await cursor.next()) {
    if (line.text.trim() === '') continue
    const where = `${line.file}:${line.line}: `
    const sealed = parseSealedLine(line.text)
    if (sealed === undefined) {
      return report({ kind: 'malformed', where, message: 'not a sealed cpxd audit line (no "seq" and "chain" at its end): inserted, damaged, or written without a chain' })
    }
    if (previous === undefined) {
      firstSeq = sealed.seq
      const anchor = anchorOf(line.text, sealed, checkpoint)
      if (anchor === undefined) {
        warnings.push(`${where}the input starts inside the chain, at seq ${sealed.seq}: this first line is taken as given, since checking it needs the line before it (add the earlier file, or pass --checkpoint)`)
        previous = sealed.chain
        expected = sealed.seq + 1
        count++
        last = { line, sealed }
        continue
      }
      previous = anchor
      expected = sealed.seq
      // A checkpoint that anchors the first line is compared by that line's chain check.
      if (checkpoint?.seq === sealed.seq - 1) checkpointMatched = true
    } else if (sealed.seq === 1 && expected !== 1 && chainMatches(key, GENESIS, sealed)) {
      warnings.push(`${where}a new chain starts here (cpxd found no sealed line to continue from when it opened the log): lines before it could have been cut off unnoticed`)
      previous = GENESIS
      expected = 1
    }
    if (sealed.seq !== expected) return report(await sequenceProblem(where, sealed.seq, expected, cursor))
    if (!chainMatches(key, previous, sealed)) return report(await contentProblem(where, key, previous, sealed, cursor))
    if (checkpoint !== undefined && sealed.seq === checkpoint.seq) {
      if (sealed.chain === checkpoint.chain) checkpointMatched = true
      else checkpointMismatch ??= { kind: 'checkpoint_mismatch', where, message: `seq ${sealed.seq} does not carry the checkpoint's chain value: this log is not the one the checkpoint was taken from, or it was rewritten from here back` }
    }
    previous = sealed.chain
    expected = sealed.seq + 1
    count++
    last = { line, sealed }
  }
  if (checkpoint !== undefined && !checkpointMatched) {
    if (checkpointMismatch !== undefined) return report(checkpointMismatch)
    if (last === undefined || last.sealed.seq < checkpoint.seq) {
      return report({ kind: 'truncated', where: '', message: `the log ends at seq ${last?.sealed.seq ?? 0} but the checkpoint records seq ${checkpoint.seq}: lines were cut off the end` })
    }
    warnings.push(`the checkpoint (seq ${checkpoint.seq}) is older than the first line given, so it was not compared`)
  }
  return report()
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
