import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { rawGet } from '../helpers/raw-http.ts'

let t: TestApp
beforeAll(async () => { t = await build() })
afterAll(async () => { await t.app.close() })

const as = (key: string) => ({ 'x-api-key': key })

describe('GET /cpx/:tenant', () => {
  it('asks for credentials with 401 and an RFC 6750 challenge', async () => {
    const res = await t.app.inject('/cpx/acme')
    expectError(res, 401, 'CPXD_ERR_UNAUTHENTICATED', 'credentials are required')
    expect(res.headers['www-authenticate']).toBe('Bearer realm="cpxd"')
  })

  it('refuses a wrong key, a malformed key and a non-bearer scheme with 401 invalid_token', async () => {
    for (const headers of [
      as('cpxd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
      as('not-a-key'),
      { authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' },
      { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' }
    ]) {
      const res = await t.app.inject({ url: '/cpx/acme', headers })
      expectError(res, 401, 'CPXD_ERR_UNAUTHENTICATED', 'the credentials presented are not valid')
      expect(res.headers['www-authenticate']).toBe('Bearer realm="cpxd", error="invalid_token"')
    }
  })

  it('serves the tenant to a principal entitled to it, with no-store', async () => {
    const res = await t.app.inject({ url: '/cpx/acme', headers: as(KEYS.acmeCustomer) })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json()
    expect(body.organization.contact).toBe('acme-account-security@northwind.example')
    const gdpr = body.frameworks.find((f: { name: string }) => f.name === 'GDPR')
    expect(gdpr.controls.map((c: { id: string }) => c.id)).toEqual(['Art.28', 'Art.32', 'Art.33'])
    expect(res.body).not.toContain('implementation_notes')
  })

  it('accepts the key as a bearer token too', async () => {
    const res = await t.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${KEYS.acmeCustomer}` } })
    expect(res.statusCode).toBe(200)
  })

  it('shows auditors everything', async () => {
    const body = (await t.app.inject({ url: '/cpx/acme', headers: as(KEYS.auditorAll) })).json()
    const gdpr = body.frameworks.find((f: { name: string }) => f.name === 'GDPR')
    expect(gdpr.controls.map((c: { id: string }) => c.id)).toContain('Art.35')
    expect(JSON.stringify(body)).toContain('implementation_notes')
  })

  it('gives a public-tier key the public view of its tenant', async () => {
    const res = await t.app.inject({ url: '/cpx/acme', headers: as(KEYS.publicTier) })
    expect(res.statusCode).toBe(200)
    expect(res.body).not.toContain('controls')
  })

  it('answers 403 for a tenant not granted, the same whether it exists or not', async () => {
    const existing = await t.app.inject({ url: '/cpx/globex', headers: as(KEYS.acmeCustomer) })
    const missing = await t.app.inject({ url: '/cpx/no-such-tenant', headers: as(KEYS.acmeCustomer) })
    expectError(existing, 403, 'CPXD_ERR_FORBIDDEN', 'you may not see this posture')
    expectError(missing, 403, 'CPXD_ERR_FORBIDDEN', 'you may not see this posture')
  })

  it('answers 404 only to a principal entitled to a tenant that has no posture', async () => {
    expectError(await t.app.inject({ url: '/cpx/initech', headers: as(KEYS.auditorAll) }), 404, 'CPXD_ERR_NOT_FOUND', 'no posture is published for this tenant')
  })

  it.each([
    ['uppercase', '/cpx/ACME'],
    ['leading dash', '/cpx/-acme'],
    ['underscore', '/cpx/ac_me'],
    ['over-long', `/cpx/${'a'.repeat(64)}`],
    ['very long', `/cpx/${'a'.repeat(400)}`],
    ['encoded traversal', '/cpx/..%2f..%2fetc'],
    ['encoded NUL', '/cpx/acme%00'],
    ['unicode', '/cpx/%C3%A4cme']
  ])('refuses a malformed tenant id (%s) with 400', async (_name, url) => {
    expectError(await t.app.inject({ url, headers: as(KEYS.auditorAll) }), 400, 'CPXD_ERR_BAD_REQUEST', 'tenant id must match ^[a-z0-9][a-z0-9-]{0,62}$')
  })

  // Sent as raw bytes: an HTTP client (and inject) would resolve the dot segments first.
  it.each([
    ['/cpx/../etc/passwd', 404, 'CPXD_ERR_NOT_FOUND'],
    ['/cpx/%2e%2e/%2e%2e/etc/passwd', 404, 'CPXD_ERR_NOT_FOUND'],
    // One segment: routed as a tenant id, which `..` is not.
    ['/cpx/..', 400, 'CPXD_ERR_BAD_REQUEST'],
    ['/cpx/%2e%2e', 400, 'CPXD_ERR_BAD_REQUEST']
  ] as const)('does not route %s to a tenant, nor to / (%i)', async (url, status, code) => {
    await t.app.listen({ host: '127.0.0.1', port: 0 }).catch(() => {})
    const res = await rawGet((t.app.server.address() as { port: number }).port, url, ['Host: cpxd.test', `X-API-Key: ${KEYS.auditorAll}`])
    expect(res.status).toBe(status)
    expect(JSON.parse(res.body)).toMatchObject({ error: { code } })
  })

  it('applies format, profile and framework like /cpx', async () => {
    const res = await t.app.inject({ url: '/cpx/acme?format=yaml&framework=gdpr&profile=strict', headers: as(KEYS.acmeCustomer) })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/yaml; charset=utf-8')
    expect(res.body).toContain('name: GDPR')
    expect(res.body).not.toContain('SOC2')
  })
})
