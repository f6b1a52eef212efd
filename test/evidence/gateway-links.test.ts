import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Principal } from '../../src/domain/principal.ts'
import { NO_EVIDENCE } from '../../src/evidence/evidence-index.ts'
import { EvidenceLinks, PLAIN_URL, type MintedLink } from '../../src/evidence/gateway-links.ts'
import { GatewaySigner } from '../../src/evidence/gateway-signer.ts'

const auditor: Principal = { kind: 'jwt', id: 'auditor "one"', tier: 'auditor', tenants: new Set(['*']) }
const links = (baseUrl: string) => new EvidenceLinks(new GatewaySigner(randomBytes(32)), () => baseUrl, 3_600_000)

describe('gateway links', () => {
  it('are marked plain when every part is, so an answer writes them unchecked', () => {
    const mint = links('https://cpxd.example/').minterFor(NO_EVIDENCE, auditor, 'acme', Date.parse('2026-11-26T09:00:00Z'))
    const first = mint('report.pdf') as MintedLink
    const second = mint('policy') as MintedLink
    expect(first).toEqual({ url: expect.stringMatching(/^https:\/\/cpxd\.example\/evidence\/acme\/report\.pdf\?p=jwt%3Aauditor%20%22one%22&t=auditor&e=1795687200&s=[A-Za-z0-9_-]{43}$/), expires: '2026-11-26T10:00:00.000Z', urlIsPlain: true })
    expect(PLAIN_URL.test(first.url)).toBe(true)
    // One grant per answer: the links differ only in the item.
    expect(second.url).toBe(first.url.replace('report.pdf', 'policy'))
  })

  it('are not marked plain when the base URL holds what JSON or YAML would have to escape, or has no scheme', () => {
    for (const base of ['https://cpxd.example/a"b', 'https://cpxd.example/a\\b', 'https://cpxd.example/a b', 'cpxd.example']) {
      const link = links(base).minterFor(NO_EVIDENCE, auditor, 'acme')('report')
      expect(link).toMatchObject({ urlIsPlain: false })
    }
  })
})
