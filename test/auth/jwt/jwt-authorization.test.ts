import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportSPKI, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, KEYS, type TestApp } from '../../helpers/build.ts'
import { expectError } from '../../helpers/expect-error.ts'
import { AUDIENCE, ISSUER, JwksServer, makeKey, signToken, type SigningKey } from '../../helpers/jwt.ts'
import { scratchDir } from '../../helpers/tmp.ts'

let jwks: JwksServer
let key: SigningKey
let t: TestApp

beforeAll(async () => {
  key = await makeKey('ES256', 'es-1')
  jwks = await JwksServer.serving(key)
  // max_tier defaults to customer: this issuer can never grant auditor.
  t = await build({ auth: { api_keys: [], jwt: { issuer: ISSUER, audience: AUDIENCE, jwks_url: `${jwks.url}/jwks.json` } } })
})
afterAll(async () => {
  await t.app.close()
  await jwks.stop()
})

const get = (url: string, token: string) => t.app.inject({ url, headers: { authorization: `Bearer ${token}` } })

describe('tenant authorization with JWTs', () => {
  it('serves a tenant named in the tenants claim, and counts the JWKS fetch that found its key', async () => {
    expect((await get('/cpx/acme', await signToken(key))).statusCode).toBe(200)
    expect(t.app.jwksRefreshCounts()).toEqual({ ok: 1, failed: 0 })
  })

  it('answers 403 insufficient_scope for another tenant, the same whether it exists or not', async () => {
    const token = await signToken(key)
    for (const tenant of ['globex', 'initech']) {
      const res = await get(`/cpx/${tenant}`, token)
      expectError(res, 403, 'CPXD_ERR_FORBIDDEN', 'you may not see this posture')
      expect(res.headers['www-authenticate']).toBe('Bearer realm="cpxd", error="insufficient_scope"')
    }
  })

  it('lets a token without tenants read /cpx at its tier but no tenant', async () => {
    const token = await signToken(key, { claims: { cpx_tenants: [] } })
    const vendor = await get('/cpx', token)
    expect(vendor.statusCode).toBe(200)
    expect(vendor.body).toContain('"controls"')
    expect((await get('/cpx/acme', token)).statusCode).toBe(403)
  })
})

describe('the publisher tier from JWTs', () => {
  it('is refused from an issuer that does not allow it, and only publishes from one that does', async () => {
    const claims = { cpx_tier: 'publisher', cpx_tenants: ['acme'] }
    const refused = await get('/cpx/acme', await signToken(key, { claims }))
    expect(refused.statusCode).toBe(401)
    expect(t.auditLines().at(-1)).toMatchObject({ reason: 'publisher_not_allowed' })

    const dir = scratchDir()
    const publishing = await build({
      posture_dir: t.config.posture_dir,
      auth: { api_keys: [], jwt: { issuer: ISSUER, audience: AUDIENCE, jwks_url: `${jwks.url}/jwks.json`, allow_publisher: true } },
      posture: { store: { history_dir: join(dir, 'history') } }
    })
    const token = await signToken(key, { claims })
    expectError(await publishing.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${token}` } }), 403, 'CPXD_ERR_FORBIDDEN', 'you may not see this posture')
    // A body the store would refuse: the publisher got past authorization, and nothing is written.
    const post = await publishing.app.inject({ method: 'POST', url: '/cpx/acme', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' }, payload: 'frameworks: 3\n' })
    expectError(post, 400, 'CPXD_ERR_BAD_REQUEST', 'acme.yaml (as published): frameworks: must be a list, not a number (line 1)')
    expect(publishing.auditLines().at(-1)).toMatchObject({ event: 'posture_publish', tier: 'publisher', principal: { kind: 'jwt' } })
    await publishing.app.close()
  })
})

describe('tiers from JWTs', () => {
  it('treats a missing tier claim as customer', async () => {
    const body = (await get('/cpx/acme', await signToken(key, { claims: { cpx_tier: undefined } }))).json()
    expect(JSON.stringify(body)).toContain('"reason"')
    expect(JSON.stringify(body)).not.toContain('implementation_notes')
  })

  it('caps an auditor claim at the issuer max_tier (customer)', async () => {
    const res = await get('/cpx/acme', await signToken(key, { claims: { cpx_tier: 'auditor' } }))
    expect(res.statusCode).toBe(200)
    expect(res.body).not.toContain('implementation_notes')
    expect(res.body).not.toContain('Art.35')
    const line = t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])
    expect(line?.tier).toBe('customer')
  })

  it('honours a lower tier than the cap', async () => {
    const res = await get('/cpx/acme', await signToken(key, { claims: { cpx_tier: 'public' } }))
    expect(res.body).not.toContain('"controls"')
  })

  it('reads the claims named in the config', async () => {
    const app = await build({ auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, jwks_url: `${jwks.url}/jwks.json`, tenants_claim: 'orgs', tier_claim: 'role', max_tier: 'auditor' } } })
    const token = await signToken(key, { claims: { orgs: ['globex'], role: 'auditor', cpx_tenants: undefined, cpx_tier: undefined } })
    const res = await app.app.inject({ url: '/cpx/globex', headers: { authorization: `Bearer ${token}` } })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('Audit log retention')
    await app.app.close()
  })
})

describe('API keys beside JWTs', () => {
  it('keep working when JWT is configured', async () => {
    const app = await build({ auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, jwks_url: `${jwks.url}/jwks.json` } } })
    expect((await app.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer } })).statusCode).toBe(200)
    expect((await app.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${KEYS.acmeCustomer}` } })).statusCode).toBe(200)
    await app.app.close()
  })
})

describe('other key sources', () => {
  it('verifies with a PEM public key file', async () => {
    const pemKey = await makeKey('RS256', 'pem')
    const dir = scratchDir()
    const { importJWK } = await import('jose')
    writeFileSync(join(dir, 'idp.pem'), await exportSPKI(await importJWK(pemKey.publicJwk, 'RS256') as Parameters<typeof exportSPKI>[0]))
    const app = await build({ auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, public_key_file: join(dir, 'idp.pem') } } })
    expect((await app.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${await signToken(pemKey)}` } })).statusCode).toBe(200)
    expect((await app.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${await signToken(key)}` } })).statusCode).toBe(401)
    await app.app.close()
  })

  it('verifies HS256 with a shared secret from a file, and refuses other algorithms', async () => {
    const secret = 's'.repeat(40)
    const dir = scratchDir({ 'secret.txt': `${secret}\n` })
    const app = await build({ auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, secret_file: join(dir, 'secret.txt') } } })
    const now = Math.floor(Date.now() / 1000)
    const hs = await new SignJWT({ cpx_tenants: ['acme'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(AUDIENCE)
      .setSubject('svc').setIssuedAt(now).setExpirationTime(now + 600).sign(new TextEncoder().encode(secret))
    expect((await app.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${hs}` } })).statusCode).toBe(200)
    expect((await app.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${await signToken(key)}` } })).statusCode).toBe(401)
    await app.app.close()
  })
})
