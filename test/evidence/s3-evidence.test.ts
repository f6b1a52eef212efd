import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { S3_ACCESS_KEY, S3_BUCKET, S3_SECRET_KEY, startS3, type S3Peer } from '../helpers/s3.ts'
import { sigV4Valid } from '../helpers/sigv4.ts'
import { scratchDir } from '../helpers/tmp.ts'

const REPORT = 'SOC 2 Type II report for Acme (sample bytes)'
const sha = (text: string) => createHash('sha256').update(text).digest('hex')

let s3: S3Peer
let postureDir: string
beforeAll(async () => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', S3_ACCESS_KEY)
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3_SECRET_KEY)
  s3 = await startS3()
  await s3.put('soc2/report 2026.pdf', REPORT)
  postureDir = scratchDir({
    'acme.yaml': [
      'frameworks:',
      '  - name: SOC2',
      '    status: compliant',
      '    score: 1',
      '    controls: [{ id: CC6.1, status: compliant }]',
      'evidence:',
      '  - id: soc2-report',
      '    description: SOC 2 Type II report',
      '    backend: s3',
      "    location: 'soc2/report 2026.pdf'",
      `    sha256: ${sha(REPORT)}`,
      '    controls: [CC6.1]'
    ].join('\n')
  })
})
afterAll(async () => {
  await s3.close()
  vi.unstubAllEnvs()
})
afterEach(() => { vi.useRealTimers() })

async function appWith (delivery: 'direct' | 'gateway'): Promise<TestApp> {
  return build({
    posture_dir: postureDir,
    evidence: { cache_dir: join(scratchDir(), 'cache'), s3: { bucket: S3_BUCKET, endpoint: s3.endpoint, force_path_style: true, delivery } }
  })
}

async function reportRef (t: TestApp): Promise<{ url: string, expires: string, hash: string, size_bytes: number }> {
  const body = (await t.app.inject({ url: '/cpx/acme?profile=full', headers: { 'x-api-key': KEYS.auditorAll } })).json()
  return body.frameworks[0].controls[0].evidence_refs[0]
}

describe('S3 evidence, direct delivery', () => {
  let t: TestApp
  beforeAll(async () => { t = await appWith('direct') })
  afterAll(async () => { await t.app.close() })

  it('hashes the object and puts a presigned path-style URL in the auditor document', async () => {
    const ref = await reportRef(t)
    expect(ref.hash).toBe(`sha256:${sha(REPORT)}`)
    expect(ref.size_bytes).toBe(REPORT.length)
    const url = new URL(ref.url)
    expect(`${url.protocol}//${url.host}`).toBe(s3.endpoint)
    expect(url.pathname).toBe(`/${S3_BUCKET}/soc2/report%202026.pdf`)
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600')
  })

  it('downloads the right bytes from the S3-compatible server', async () => {
    const response = await fetch((await reportRef(t)).url)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(REPORT)
  })

  it('carries a SigV4 signature that checks out against the secret, from the documented algorithm', async () => {
    const { url } = await reportRef(t)
    expect(sigV4Valid(url, S3_SECRET_KEY)).toBe(true)
    expect(sigV4Valid(url, 'not-the-secret')).toBe(false)
    const altered = new URL(url)
    altered.pathname = `/${S3_BUCKET}/soc2/other.pdf`
    expect(sigV4Valid(altered.toString(), S3_SECRET_KEY)).toBe(false)
    const longer = new URL(url)
    longer.searchParams.set('X-Amz-Expires', '604800')
    expect(sigV4Valid(longer.toString(), S3_SECRET_KEY)).toBe(false)
  })

  it('makes a different URL for every request', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2000 })
    const first = (await reportRef(t)).url
    vi.setSystemTime(Date.now() + 2000)
    expect((await reportRef(t)).url).not.toBe(first)
  })

  it('stops working once it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 2 * 3_600_000 })
    const { url } = await reportRef(t)
    vi.useRealTimers()
    const response = await fetch(url)
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('Request has expired')
  })

  it('gives customers the hash but no URL', async () => {
    const body = (await t.app.inject({ url: '/cpx/acme?profile=full', headers: { 'x-api-key': KEYS.acmeCustomer } })).json()
    expect(body.frameworks[0].controls[0].evidence_refs).toEqual([{ id: 'soc2-report', type: 'document', description: 'SOC 2 Type II report', hash: `sha256:${sha(REPORT)}`, size_bytes: REPORT.length }])
  })
})

describe('S3 evidence, gateway delivery', () => {
  let t: TestApp
  beforeAll(async () => { t = await appWith('gateway') })
  afterAll(async () => { await t.app.close() })

  it('links to cpxd, audits the access, then redirects to a presigned URL that lives 5 minutes', async () => {
    const link = new URL((await reportRef(t)).url)
    expect(link.pathname).toBe('/evidence/acme/soc2-report')
    const res = await t.app.inject({ url: `${link.pathname}${link.search}` })
    expect(res.statusCode).toBe(302)
    const location = res.headers.location as string
    expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('300')
    expect(sigV4Valid(location, S3_SECRET_KEY)).toBe(true)
    expect(await (await fetch(location)).text()).toBe(REPORT)
    expect(t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])).toMatchObject({ event: 'evidence_access', status: 302, evidence: { id: 'soc2-report', tenant: 'acme' } })
  })

  it('refuses to redirect to an object re-uploaded since it was hashed', async () => {
    const link = new URL((await reportRef(t)).url)
    await s3.put('soc2/report 2026.pdf', 'a different report')
    const res = await t.app.inject({ url: `${link.pathname}${link.search}` })
    expectError(res, 503, 'CPXD_ERR_UNAVAILABLE', 'this evidence changed since it was indexed; fetch the posture again after the next reload')
    await s3.put('soc2/report 2026.pdf', REPORT)
  })
})
