import { createHash, generateKeyPairSync } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { FakeGcs, GCS_BUCKET, gcsV4Valid, makeServiceAccount } from '../helpers/gcs.ts'
import { scratchDir } from '../helpers/tmp.ts'

const POLICY = 'Information security policy v7 (sample bytes)'
const sha = (text: string) => createHash('sha256').update(text).digest('hex')

let gcs: FakeGcs
let account: ReturnType<typeof makeServiceAccount>
let postureDir: string
beforeAll(async () => {
  gcs = await new FakeGcs().start()
  gcs.put('policies/infosec-v7.pdf', POLICY)
  account = makeServiceAccount()
  postureDir = scratchDir({
    'acme.yaml': [
      'frameworks: [{ name: ISO27001, status: compliant, score: 1, controls: [{ id: A.5.1, status: compliant }] }]',
      'evidence:',
      '  - { id: infosec-policy, description: Information security policy, backend: gcs, location: policies/infosec-v7.pdf, controls: [A.5.1] }'
    ].join('\n')
  })
})
afterAll(async () => { await gcs.stop() })

async function appWith (delivery: 'direct' | 'gateway'): Promise<TestApp> {
  return build({
    posture_dir: postureDir,
    evidence: { cache_dir: join(scratchDir(), 'cache'), gcs: { bucket: GCS_BUCKET, service_account_file: account.file, api_endpoint: gcs.endpoint, delivery } }
  })
}

async function policyRef (t: TestApp): Promise<{ url: string, hash: string, size_bytes: number }> {
  return (await t.app.inject({ url: '/cpx/acme?profile=full', headers: { 'x-api-key': KEYS.auditorAll } })).json().frameworks[0].controls[0].evidence_refs[0]
}

describe('GCS evidence', () => {
  it('hashes the object and signs a V4 URL that verifies with the service account\'s public key', async () => {
    const t = await appWith('direct')
    const ref = await policyRef(t)
    expect(ref.hash).toBe(`sha256:${sha(POLICY)}`)
    expect(ref.size_bytes).toBe(POLICY.length)
    const url = new URL(ref.url)
    expect(url.pathname).toBe(`/${GCS_BUCKET}/policies/infosec-v7.pdf`)
    expect(url.searchParams.get('X-Goog-Expires')).toBe('3600')
    expect(url.searchParams.get('X-Goog-Credential')).toMatch(/^cpxd-evidence@test-project\.iam\.gserviceaccount\.com\/\d{8}\/auto\/storage\/goog4_request$/)
    expect(url.searchParams.get('generation')).toMatch(/^\d+$/)
    expect(gcsV4Valid(ref.url, account.publicKey)).toBe(true)

    const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).publicKey
    expect(gcsV4Valid(ref.url, other)).toBe(false)
    const altered = new URL(ref.url)
    altered.pathname = `/${GCS_BUCKET}/policies/other.pdf`
    expect(gcsV4Valid(altered.toString(), account.publicKey)).toBe(false)
    const longer = new URL(ref.url)
    longer.searchParams.set('X-Goog-Expires', '604800')
    expect(gcsV4Valid(longer.toString(), account.publicKey)).toBe(false)
    await t.app.close()
  })

  it('through the gateway: audits, then redirects to a 5-minute signed URL; refuses a rewritten object', async () => {
    const t = await appWith('gateway')
    const link = new URL((await policyRef(t)).url)
    expect(link.pathname).toBe('/evidence/acme/infosec-policy')
    const res = await t.app.inject({ url: `${link.pathname}${link.search}` })
    expect(res.statusCode).toBe(302)
    const location = res.headers.location as string
    expect(new URL(location).searchParams.get('X-Goog-Expires')).toBe('300')
    expect(gcsV4Valid(location, account.publicKey)).toBe(true)
    gcs.put('policies/infosec-v7.pdf', 'a newer policy')
    expectError(await t.app.inject({ url: `${link.pathname}${link.search}` }), 503, 'CPXD_ERR_UNAVAILABLE', 'this evidence changed since it was indexed; fetch the posture again after the next reload')
    gcs.put('policies/infosec-v7.pdf', POLICY)
    await t.app.close()
  })

  it('withholds an object that is not in the bucket', async () => {
    const dir = scratchDir({ 'acme.yaml': 'frameworks: []\nevidence:\n  - { id: gone, description: gone, backend: gcs, location: nope.pdf }\n' })
    const t = await build({ posture_dir: dir, evidence: { cache_dir: join(scratchDir(), 'c'), gcs: { bucket: GCS_BUCKET, service_account_file: account.file, api_endpoint: gcs.endpoint } } })
    const body = (await t.app.inject({ url: '/cpx/acme?profile=full', headers: { 'x-api-key': KEYS.auditorAll } })).json()
    expect(body.evidence_refs).toBeUndefined()
    await t.app.close()
  })
})
