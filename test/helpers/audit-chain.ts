import { createSecretKey } from 'node:crypto'
import { AuditChain, START_OF_CHAIN, type ChainHead } from '../../src/audit/audit-chain.ts'
import type { AuditLine } from '../../src/audit/verify-chain.ts'

export const AUDIT_KEY = createSecretKey(Buffer.from('audit-test-key-'.repeat(3)))

/**
 * `count` sealed access lines (without their newlines), as GroupCommitFile would write them; their
 * times count seconds from 09:00 on, starting at `second`.
 */
export function sealedLines (count: number, from: ChainHead = START_OF_CHAIN, key = AUDIT_KEY, second = from.seq): string[] {
  const chain = new AuditChain(key, from)
  const events = Array.from({ length: count }, (_, i) => `${JSON.stringify({ log: 'audit', time: new Date(Date.UTC(2026, 10, 23, 9, 0, second + i)).toISOString(), event: 'posture_read', tenant: i % 2 === 0 ? 'acme' : 'globex', status: 200 + i })}\n`)
  const sealed = chain.seal(events)
  sealed.commit()
  return sealed.text.split('\n').slice(0, -1)
}

export async function * asInput (lines: readonly string[], file = 'audit.log'): AsyncGenerator<AuditLine> {
  let n = 0
  for (const text of lines) yield { file, line: ++n, text }
}
