import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { S3EvidenceStore } from '../../src/evidence/s3-store.ts'
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
