import { createHmac, createSecretKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AuditChain, chainMatches, GENESIS, parseSealedLine, sealLine, START_OF_CHAIN } from '../../src/audit/audit-chain.ts'

const KEY_BYTES = Buffer.from('k'.repeat(32))
const KEY = createSecretKey(KEY_BYTES)

describe('sealLine', () => {
  it('appends seq and an HMAC-SHA256 over the previous chain value, a newline and the line as written', () => {
    const { line, head } = sealLine(KEY, START_OF_CHAIN, '{"log":"audit","event":"x"}\n')
    const content = '{"log":"audit","event":"x","seq":1}'
    // Computed here from the documented formula, not with cpxd's code.
    const expected = createHmac('sha256', KEY_BYTES).update(`${'0'.repeat(64)}\n${content}`).digest('hex')
    expect(line).toBe(`{"log":"audit","event":"x","seq":1,"chain":"${expected}"}\n`)
    expect(head).toEqual({ seq: 1, chain: expected })
    const next = sealLine(KEY, head, '{"event":"y"}\n')
    expect(next.head.chain).toBe(createHmac('sha256', KEY_BYTES).update(`${expected}\n{"event":"y","seq":2}`).digest('hex'))
  })

  it('is taken apart again by parseSealedLine, and chainMatches holds only for the right previous value and key', () => {
    const { line } = sealLine(KEY, { seq: 41, chain: 'a'.repeat(64) }, '{"event":"x","path":"/cpx?\\"chain\\":\\"0"}\n')
    const parsed = parseSealedLine(line.trimEnd())
    expect(parsed).toMatchObject({ seq: 42, content: '{"event":"x","path":"/cpx?\\"chain\\":\\"0","seq":42}' })
    expect(chainMatches(KEY, 'a'.repeat(64), parsed!)).toBe(true)
    expect(chainMatches(KEY, GENESIS, parsed!)).toBe(false)
    expect(chainMatches(createSecretKey(Buffer.from('j'.repeat(32))), 'a'.repeat(64), parsed!)).toBe(false)
    expect(chainMatches(KEY, 'a'.repeat(64), { ...parsed!, content: parsed!.content.replace('/cpx', '/cpy') })).toBe(false)
  })

  it.each([
    ['no chain member', '{"event":"x","seq":1}'],
    ['a short chain value', `{"event":"x","seq":1,"chain":"${'a'.repeat(63)}"}`],
    ['upper-case hex', `{"event":"x","seq":1,"chain":"${'A'.repeat(64)}"}`],
    ['no seq before the chain', `{"event":"x","chain":"${'a'.repeat(64)}"}`],
    ['a seq that is not a number', `{"event":"x","seq":"1","chain":"${'a'.repeat(64)}"}`],
    ['text after the object', `{"event":"x","seq":1,"chain":"${'a'.repeat(64)}"} `],
    ['not an object', `"seq":1,"chain":"${'a'.repeat(64)}"}`]
  ])('parseSealedLine refuses a line with %s', (_name, text) => {
    expect(parseSealedLine(text)).toBeUndefined()
  })
})

describe('AuditChain', () => {
  it('moves its head only when a sealed batch is committed', () => {
    const chain = new AuditChain(KEY, START_OF_CHAIN)
    const lost = chain.seal(['{"n":1}\n', '{"n":2}\n'])
    expect(chain.head).toEqual(START_OF_CHAIN)
    const kept = chain.seal(['{"n":1}\n'])
    kept.commit()
    expect(chain.head.seq).toBe(1)
    expect(kept.text.startsWith(lost.text.split('\n')[0] as string)).toBe(true)
    chain.seal(['{"n":2}\n', '{"n":3}\n']).commit()
    expect(chain.head.seq).toBe(3)
  })
})
