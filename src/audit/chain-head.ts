import { statSync } from 'node:fs'
import { START_OF_CHAIN, timeOfLine, type ChainHead, type SealedLine } from './audit-chain.ts'
import { isGzip, lastSealedLine, rotatedSiblings } from './audit-files.ts'

export interface FoundHead {
  readonly head: ChainHead
  /** The file whose last line the chain continues from; undefined for a new chain. */
  readonly from: string | undefined
}

/** Compressed files are read whole to find their last line, so only the newest few are. */
const GZIP_CANDIDATES = 2

/**
 * Where the chain continues at start: the last sealed line of the audit file, or when that file
 * is new or empty (rotated while cpxd was stopped), the latest last line among the rotated files:
 * every plain one (a read from the end each) and the two newest compressed ones. Latest is by the
 * line's own time, not the file's mtime, which compressing later changes. Only when no file holds
 * a sealed line does a new chain begin, and verification then shows the restart.
 */
export async function findChainHead (file: string): Promise<FoundHead> {
  if (file === '-') return { head: START_OF_CHAIN, from: undefined }
  if (hasContent(file)) {
    const last = await lastSealedLine(file)
    if (last !== undefined) return { head: headOf(last), from: file }
  }
  const siblings = rotatedSiblings(file).map((path) => ({ path, gzip: isGzip(path) }))
  const candidates = [
    ...siblings.filter((s) => !s.gzip),
    ...siblings.filter((s) => s.gzip).slice(0, GZIP_CANDIDATES)
  ].map((s) => s.path)
  let best: { found: FoundHead, time: string } | undefined
  for (const candidate of candidates) {
    const last = await lastSealedLine(candidate)
    if (last === undefined) continue
    const time = timeOfLine(last.content)
    if (best === undefined || time > best.time || (time === best.time && last.seq > best.found.head.seq)) {
      best = { found: { head: headOf(last), from: candidate }, time }
    }
  }
  return best?.found ?? { head: START_OF_CHAIN, from: undefined }
}

function headOf (line: SealedLine): ChainHead {
  return { seq: line.seq, chain: line.chain }
}

function hasContent (file: string): boolean {
  try {
    return statSync(file).size > 0
  } catch {
    return false
  }
}
