import { createHash } from 'node:crypto'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { build, EXAMPLE_EVIDENCE_DIR, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

let t: TestApp
let evidenceDir: string
beforeAll(async () => {
  evidenceDir = join(scratchDir(), 'evidence')
  cpSync(EXAMPLE_EVIDENCE_DIR, evidenceDir, { recursive: true })
  t = await build({ evidence: { local_root: evidenceDir, cache_dir: join(scratchDir(), 'cache') }, server: { public_url: 'https://trust.example.test' } })
})
afterAll(async () => { await t.app.close() })
afterEach(() => { vi.useRealTimers() })

interface Ref { id: string, url?: string, expires?: string, hash: string, size_bytes: number }

async function acmeAs (key: string): Promise<Record<string, any>> {
  return (await t.app.inject({ url: '/cpx/acme?profile=full', headers: { 'x-api-key': key } })).json()
}

async function dpaLink (): Promise<URL> {
  const ref = (await acmeAs(KEYS.auditorAll)).evidence_refs.find((r: Ref) => r.id === 'acme-dpa-v3') as Ref
  return new URL(ref.url as string)
}

const follow = (url: URL | string) => t.app.inject({ url: typeof url === 'string' ? url : `${url.pathname}${url.search}` })

describe('evidence references in the document', () => {
  it('give auditors a fresh, expiring link per request, with hash and size', async () => {
    const ref = (await acmeAs(KEYS.auditorAll)).evidence_refs[0] as Ref
    expect(ref).toMatchObject({ id: 'acme-dpa-v3', hash: `sha256:${createHash('sha256').update(readFileSync(join(evidenceDir, 'acme/dpa-acme-v3.txt'))).digest('hex')}`, size_bytes: 90 })
    expect(ref.url).toMatch(/^https:\/\/trust\.example\.test\/evidence\/acme\/acme-dpa-v3\?p=api_key%3Aauditor-all&t=auditor&e=\d+&s=[A-Za-z0-9_-]{43}$/)
    const lifetime = Date.parse(ref.expires as string) - Date.now()
    expect(lifetime).toBeGreaterThan(3_590_000)
    expect(lifetime).toBeLessThanOrEqual(3_600_000)
  })

  it('give customers hash and size but no link', async () => {
    const body = await acmeAs(KEYS.acmeCustomer)
    expect(body.evidence_refs).toEqual([{ id: 'acme-dpa-v3', type: 'document', description: 'Signed data processing agreement with Acme, v3', hash: expect.stringMatching(/^sha256:/), size_bytes: 90 }])
    expect(JSON.stringify(body)).not.toContain('/evidence/')
  })

  it('attach items to the controls they support', async () => {
    const body = await acmeAs(KEYS.auditorAll)
    const gdpr = body.frameworks.find((f: { name: string }) => f.name === 'GDPR')
    expect(gdpr.controls.find((c: { id: string }) => c.id === 'Art.32').evidence_refs.map((r: Ref) => r.id)).toEqual(['acme-tenant-isolation'])
  })

  it('put links in strict and YAML answers too', async () => {
    const strict = (await t.app.inject({ url: '/cpx/acme?profile=strict', headers: { 'x-api-key': KEYS.auditorAll } })).json()
    expect(strict.evidence_refs[0]).toMatch(/^https:\/\/trust\.example\.test\/evidence\/acme\/acme-dpa-v3\?/)
    const yaml = await t.app.inject({ url: '/cpx/acme?format=yaml&profile=full', headers: { 'x-api-key': KEYS.auditorAll } })
    expect(yaml.body).toMatch(/url: https:\/\/trust\.example\.test\/evidence\/acme\/acme-dpa-v3\?p=/)
  })
})

describe('GET /evidence/:tenant/:item', () => {
  it('streams the file with its digest, as an attachment, and audits the access', async () => {
    const res = await follow(await dpaLink())
    const bytes = readFileSync(join(evidenceDir, 'acme/dpa-acme-v3.txt'))
    expect(res.statusCode).toBe(200)
    expect(res.rawPayload).toEqual(bytes)
    expect(res.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(bytes.length),
      'content-disposition': 'attachment; filename="dpa-acme-v3.txt"',
      'repr-digest': `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store'
    })
    const line = t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])
    expect(line).toMatchObject({
      event: 'evidence_access',
      status: 200,
      principal: { kind: 'link', id: 'api_key:auditor-all' },
      tier: 'auditor',
      evidence: { id: 'acme-dpa-v3', tenant: 'acme' }
    })
    expect(JSON.stringify(line)).not.toContain((await dpaLink()).searchParams.get('s'))
  })

  it.each([
    ['another tenant', (u: URL) => { u.pathname = '/evidence/globex/acme-dpa-v3' }],
    ['another principal', (u: URL) => { u.searchParams.set('p', 'api_key:acme-customer') }],
    ['a lower tier', (u: URL) => { u.searchParams.set('t', 'customer') }],
    ['a later expiry', (u: URL) => { u.searchParams.set('e', String(Number(u.searchParams.get('e')) + 86_400)) }],
    ['a changed signature', (u: URL) => { const s = u.searchParams.get('s') as string; u.searchParams.set('s', `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`) }]
  ])('refuses a link moved to %s with 403', async (_name, tamper) => {
    const url = await dpaLink()
    tamper(url)
    const res = await follow(url)
    expectError(res, 403, 'CPXD_ERR_FORBIDDEN', 'this evidence link is not valid')
    expect(t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])).toMatchObject({ event: 'evidence_access', status: 403, reason: 'bad_link_signature' })
  })

  it('lets one answer\'s grant fetch any item that tier\'s answers link to, and audits which', async () => {
    const url = await dpaLink()
    url.pathname = '/evidence/acme/acme-tenant-isolation'
    const res = await follow(url)
    expect(res.statusCode).toBe(200)
    expect(t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])).toMatchObject({ event: 'evidence_access', status: 200, evidence: { id: 'acme-tenant-isolation', tenant: 'acme' } })
  })

  it('shares one grant between every link of an answer', async () => {
    const links = JSON.stringify(await acmeAs(KEYS.auditorAll)).match(/https:\/\/trust\.example\.test\/evidence\/[^"]+/g) ?? []
    expect(new Set(links.map((link) => new URL(link).pathname))).toEqual(new Set(['/evidence/acme/acme-dpa-v3', '/evidence/acme/acme-tenant-isolation']))
    expect(new Set(links.map((link) => new URL(link).search)).size).toBe(1)
  })

  it('answers an expired link with 410', async () => {
    const url = await dpaLink()
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3_601_000 })
    const res = await follow(url)
    expectError(res, 410, 'CPXD_ERR_LINK_EXPIRED', 'this evidence link has expired; fetch the posture again for a fresh one')
  })

  it('refuses a malformed link with 400', async () => {
    expectError(await follow('/evidence/acme/acme-dpa-v3?p=x&t=auditor&e=1&s=short'), 400, 'CPXD_ERR_BAD_REQUEST', 'this evidence link is malformed')
    expectError(await follow('/evidence/acme/..%2f..%2fetc?p=x&t=auditor&e=1&s=' + 'A'.repeat(43)), 400, 'CPXD_ERR_BAD_REQUEST', 'this evidence link is malformed')
  })

  it('does not serve a file that changed since it was indexed', async () => {
    const url = await dpaLink()
    writeFileSync(join(evidenceDir, 'acme/dpa-acme-v3.txt'), 'swapped after indexing, a different document entirely')
    const res = await follow(url)
    expectError(res, 503, 'CPXD_ERR_UNAVAILABLE', 'this evidence changed since it was indexed; fetch the posture again after the next reload')
  })
})
