import { statSync } from 'node:fs'
import { START_OF_CHAIN, type ChainHead } from './audit-chain.ts'
import { lastSealedLine, rotatedSiblings } from './audit-files.ts'

export interface FoundHead {
  readonly head: ChainHead
  /** The file whose last line the chain continues from; undefined for a new chain. */
  readonly from: string | undefined
}

/**
 * Where the chain continues at start: the last line of the audit file, or when that file is new or
 * empty (rotated while cpxd was stopped), the last line of the newest rotated file. Only when
 * neither holds a chained line does a new chain begin, and verification then shows the restart.
 */
export async function findChainHead (file: string): Promise<FoundHead> {
  if (file === '-') return { head: START_OF_CHAIN, from: undefined }
  const candidates = hasContent(file) ? [file, ...rotatedSiblings(file)] : rotatedSiblings(file)
  for (const candidate of candidates) {
    const last = await lastSealedLine(candidate)
    if (last !== undefined) return { head: { seq: last.seq, chain: last.chain }, from: candidate }
  }
  return { head: START_OF_CHAIN, from: undefined }
}

function hasContent (file: string): boolean {
  try {
    return statSync(file).size > 0
  } catch {
    return false
  }
}
