import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

let t: TestApp
let posture: string
const manifest = (coverIsPublic: boolean) => [
  'frameworks: [{ name: SOC2, status: compliant, score: 1, controls: [{ id: CC1.1, status: compliant }] }]',
  'evidence:',
  `  - { id: soc2-cover, description: SOC 2 report cover page, backend: local, location: cover.txt, public: ${coverIsPublic}, controls: [CC1.1] }`,
  '  - { id: internal, description: Internal memo, backend: local, location: internal.txt, controls: [CC1.1] }'
].join('\n')

async function coverLink (): Promise<URL> {
  const refs = (await t.app.inject('/cpx?profile=full')).json().evidence_refs as Array<{ id: string, url: string }>
  return new URL(refs.find((r) => r.id === 'soc2-cover')?.url as string)
}

beforeAll(async () => {
  const root = scratchDir({ 'cover.txt': 'SOC 2 report cover page', 'internal.txt': 'internal only' })
  posture = scratchDir({ '_default.yaml': manifest(true) })
  t = await build({ posture_dir: posture, evidence: { local_root: root, cache_dir: join(scratchDir(), 'cache') } })
})
afterAll(async () => { await t.app.close() })

describe('public evidence items', () => {
  it('carry a fresh link for anonymous callers, who see nothing else', async () => {
    const res = await t.app.inject('/cpx?profile=full')
    expect(res.statusCode).toBe(200)
    const refs = res.json().evidence_refs as Array<{ id: string, url: string, expires: string }>
    expect(refs.map((r) => r.id)).toEqual(['soc2-cover'])
    expect(refs[0]?.url).toMatch(/\/evidence\/_default\/soc2-cover\?p=anonymous%3A&t=public&e=\d+&s=/)
    // Links are made per request, so this answer has no ETag and never a 304.
    expect(res.headers.etag).toBeUndefined()
    expect((await t.app.inject({ url: '/cpx?profile=full', headers: { 'if-none-match': '*' } })).statusCode).toBe(200)
    const file = new URL(refs[0]?.url as string)
    const download = await t.app.inject({ url: `${file.pathname}${file.search}` })
    expect(download.statusCode).toBe(200)
    expect(download.body).toBe('SOC 2 report cover page')
  })

  it('carry links for customers too, while their other evidence does not', async () => {
    const body = (await t.app.inject({ url: '/cpx?profile=full', headers: { 'x-api-key': KEYS.acmeCustomer } })).json()
    const refs = body.frameworks[0].controls[0].evidence_refs as Array<{ id: string, url?: string }>
    expect(refs.find((r) => r.id === 'soc2-cover')?.url).toMatch(/t=customer/)
    expect(refs.find((r) => r.id === 'internal')?.url).toBeUndefined()
  })

  it('grant a public link only the items the public sees: another item is a 404, audited', async () => {
    const link = await coverLink()
    link.pathname = '/evidence/_default/internal'
    const res = await t.app.inject({ url: `${link.pathname}${link.search}` })
    expectError(res, 404, 'CPXD_ERR_NOT_FOUND', 'no such evidence')
    expect(t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])).toMatchObject({
      event: 'evidence_access', status: 404, tier: 'public', evidence: { id: 'internal', tenant: '_default' }
    })
  })

  it('stop working at once when the item is no longer public, though the link has not expired', async () => {
    const link = await coverLink()
    const url = `${link.pathname}${link.search}`
    expect((await t.app.inject(url)).statusCode).toBe(200)
    writeFileSync(join(posture, '_default.yaml'), manifest(false))
    await t.app.loadPosture()
    try {
      expectError(await t.app.inject(url), 404, 'CPXD_ERR_NOT_FOUND', 'no such evidence')
    } finally {
      writeFileSync(join(posture, '_default.yaml'), manifest(true))
      await t.app.loadPosture()
    }
    expect((await t.app.inject(url)).statusCode).toBe(200)
  })
})
