import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { S3Client } from '@aws-sdk/client-s3'
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner'
import { S3EvidenceStore } from '../../src/evidence/s3-store.ts'
import { SigV4QuerySigner } from '../../src/evidence/sigv4-query.ts'
import { sigV4Valid } from '../helpers/sigv4.ts'

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'

describe('S3 presigned URLs for AWS itself (signatures checked, nothing fetched)', () => {
  beforeAll(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET)
  })
  afterAll(() => { vi.unstubAllEnvs() })

  const store = new S3EvidenceStore({ bucket: 'acme-evidence', region: 'eu-west-1', forcePathStyle: false, delivery: 'direct' })

  it('signs a virtual-hosted URL, with the key escaped the way S3 expects', async () => {
    const url = new URL(await store.presign({ location: 'soc 2/report+final (1).pdf', size: 1, version: '"abc"', cacheKey: 'x' }, 3600))
    expect(url.host).toBe('acme-evidence.s3.eu-west-1.amazonaws.com')
    expect(url.pathname).toBe('/soc%202/report%2Bfinal%20%281%29.pdf')
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/)
    expect(url.searchParams.has('versionId')).toBe(false)
    expect(sigV4Valid(url.toString(), SECRET)).toBe(true)
    expect(sigV4Valid(url.toString(), 'wrong')).toBe(false)
  })

  it('pins a versioned object to its version, inside the signature', async () => {
    const url = new URL(await store.presign({ location: 'a.pdf', size: 1, version: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY', cacheKey: 'x' }, 600))
    expect(url.searchParams.get('versionId')).toBe('3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY')
    expect(sigV4Valid(url.toString(), SECRET)).toBe(true)
    url.searchParams.set('versionId', 'another-version')
    expect(sigV4Valid(url.toString(), SECRET)).toBe(false)
  })
})

describe('SigV4QuerySigner', () => {
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET, sessionToken: 'FwoGZXIvYXdzE/session+token=' }
  const target = { protocol: 'https:', host: 'acme-evidence.s3.eu-west-1.amazonaws.com', path: '/soc%202/report%2Bfinal%20%281%29.pdf', query: { versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY' } }
  const at = Date.parse('2026-11-26T05:24:56.789Z')

  it('makes the very URL the AWS SDK\'s presigner makes, signature included', async () => {
    const ours = new URL(await new SigV4QuerySigner('eu-west-1', async () => credentials).presign(target, 3600, at))
    const sdk = await new S3RequestPresigner({ ...new S3Client({ region: 'eu-west-1', credentials }).config, region: 'eu-west-1' }).presign({
      method: 'GET', protocol: target.protocol, hostname: target.host, path: target.path, query: { ...target.query }, headers: { host: target.host }
    }, { expiresIn: 3600, signingDate: new Date(at) })
    const sorted = (entries: Iterable<[string, string]>) => [...entries].sort(([a], [b]) => a.localeCompare(b))
    expect(`${ours.origin}${ours.pathname}`).toBe(`https://${target.host}${target.path}`)
    expect(sorted(ours.searchParams)).toEqual(sorted(Object.entries(sdk.query ?? {}).map(([key, value]) => [key, String(value)])))
    expect(ours.searchParams.get('X-Amz-Date')).toBe('20261126T052456Z')
    expect(sigV4Valid(ours.toString(), SECRET)).toBe(true)
  })

  it('asks the credential chain once, and again only when what it holds is about to expire', async () => {
    let calls = 0
    const expiring = (minutes: number) => ({ ...credentials, expiration: new Date(at + minutes * 60_000) })
    let next = expiring(60)
    const signer = new SigV4QuerySigner('eu-west-1', async () => { calls++; return next })
    await Promise.all([signer.presign(target, 60, at), signer.presign(target, 60, at)])
    expect(calls).toBe(1)
    // Held, and good for another hour: no promise at all.
    expect(typeof signer.presign(target, 60, at)).toBe('string')
    next = expiring(120)
    const soon = signer.presign(target, 60, at + 56 * 60_000)
    expect(soon).toBeInstanceOf(Promise)
    expect(sigV4Valid(await soon, SECRET)).toBe(true)
    expect(calls).toBe(2)
  })

  it('derives a new signing key when the day changes', async () => {
    const signer = new SigV4QuerySigner('eu-west-1', async () => credentials)
    await signer.presign(target, 60, at)
    const signed = signer.presign(target, 60, at + 86_400_000)
    if (typeof signed !== 'string') throw new Error('credentials held: the URL is made at once')
    const tomorrow = new URL(signed)
    expect(tomorrow.searchParams.get('X-Amz-Credential')).toBe('AKIAIOSFODNN7EXAMPLE/20261127/eu-west-1/s3/aws4_request')
    expect(sigV4Valid(tomorrow.toString(), SECRET)).toBe(true)
  })
})
