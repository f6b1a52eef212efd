import { parse as parseYaml } from 'yaml'
import { describe, expect, it } from 'vitest'
import type { EvidenceBackend, EvidenceObject } from '../../src/evidence/backend.ts'
import type { EvidenceIndex } from '../../src/evidence/evidence-index.ts'
import type { MintedLink } from '../../src/evidence/gateway-links.ts'
import { attachEvidence } from '../../src/posture/attach-evidence.ts'
import { loadPostureDocuments } from '../../src/posture/loader.ts'
import { RenderedPosture, type RenderRequest } from '../../src/posture/rendered-posture.ts'
import { scratchDir } from '../helpers/tmp.ts'

const POSTURE = [
  'frameworks:',
  '  - name: SOC2',
  '    status: compliant',
  '    score: 1',
  '    controls:',
  '      - { id: CC1, status: compliant }',
  '      - { id: CC2, status: compliant }',
  'evidence:',
  '  - { id: report, description: Report, backend: local, location: report.pdf, controls: [CC1, CC2] }',
  '  - { id: policy, description: Policy, backend: local, location: policy.pdf, controls: [CC2], public: true }'
].join('\n')

/** The posture with both items indexed, as a load would attach them. */
function posture (): RenderedPosture {
  const doc = loadPostureDocuments(scratchDir({ 'acme.yaml': POSTURE })).get('acme')
  if (doc === undefined) throw new Error('acme did not load')
  const items = new Map(doc.evidence.map((item, n) => [`acme/${item.id}`, { tenant: 'acme', item, backend: {} as EvidenceBackend, object: {} as EvidenceObject, sha256: String(n).repeat(64), size: 10 }]))
  const index: EvidenceIndex = { items, failures: [] }
  return new RenderedPosture(attachEvidence(doc, 'acme', index), new Set(['report', 'policy']), new Set(['policy']))
}

/** The full profile: an item supporting two controls is referenced, with a link, on each. */
const auditor = (format: 'json' | 'yaml'): RenderRequest => ({ tier: 'auditor', format, profile: 'full', framework: undefined })

/** Every evidence reference's url and expires in an answer, in document order. */
function linksIn (body: unknown): Array<{ id: string, url: string, expires: string }> {
  const found: Array<{ id: string, url: string, expires: string }> = []
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) { value.forEach(walk); return }
    if (typeof value !== 'object' || value === null) return
    const record = value as Record<string, unknown>
    if (typeof record.url === 'string') found.push({ id: String(record.id), url: record.url, expires: String(record.expires) })
    Object.values(record).forEach(walk)
  }
  walk(body)
  return found
}

describe('an answer with links', () => {
  it('asks for each item once, however often the answer references it, and fills every reference', async () => {
    const asked: string[] = []
    const rendered = await posture().renderWithLinks(auditor('json'), (id) => {
      asked.push(id)
      return { url: `https://cpxd.example/evidence/acme/${id}?s=x`, expires: '2026-11-26T10:00:00.000Z', urlIsPlain: true }
    })
    expect(asked.sort()).toEqual(['policy', 'report'])
    const links = linksIn(JSON.parse(rendered.body.toString('utf8')))
    expect(links.length).toBeGreaterThan(2)
    for (const link of links) expect(link).toEqual({ id: link.id, url: `https://cpxd.example/evidence/acme/${link.id}?s=x`, expires: '2026-11-26T10:00:00.000Z' })
    expect(rendered.etag).toBe('')
  })

  it.each(['json', 'yaml'] as const)('escapes, in %s, a URL that is not marked plain, and its expiry', async (format) => {
    const url = 'https://cpxd.example/a"b\\c: d #e\u00e9'
    const expires = 'x": "y'
    const minted: MintedLink = { url, expires }
    const rendered = await posture().renderWithLinks(auditor(format), () => minted)
    const text = rendered.body.toString('utf8')
    const links = linksIn(format === 'json' ? JSON.parse(text) : parseYaml(text))
    expect(links.map((link) => [link.url, link.expires])).toEqual(links.map(() => [url, expires]))
    expect(rendered.body.length).toBe(Buffer.byteLength(text))
  })

  it('writes a URL that is plain unquoted in YAML even when not marked so, and quotes the expiry', async () => {
    const url = 'https://bucket.example/report?X-Amz-Signature=ab12'
    const rendered = await posture().renderWithLinks(auditor('yaml'), () => ({ url, expires: '2026-11-26T10:00:00.000Z' }))
    const text = rendered.body.toString('utf8')
    expect(text).toContain(`url: ${url}\n`)
    expect(text).toContain('expires: "2026-11-26T10:00:00.000Z"\n')
  })

  it('waits for links that are minted asynchronously, beside ones that are not', async () => {
    const rendered = await posture().renderWithLinks(auditor('json'), (id) => id === 'report'
      ? Promise.resolve({ url: 'https://bucket.example/report?sig=1', expires: 'e' })
      : { url: 'https://cpxd.example/policy', expires: 'e', urlIsPlain: true })
    const urls = new Set(linksIn(JSON.parse(rendered.body.toString('utf8'))).map((link) => `${link.id} ${link.url}`))
    expect(urls).toEqual(new Set(['report https://bucket.example/report?sig=1', 'policy https://cpxd.example/policy']))
  })
})
