import { createHmac } from 'node:crypto'
import { exportSPKI, importJWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, type TestApp } from '../../helpers/build.ts'
import { expectError } from '../../helpers/expect-error.ts'
import { AUDIENCE, b64url, ISSUER, JwksServer, makeKey, signRawEs256, signToken, type SigningKey } from '../../helpers/jwt.ts'

let jwks: JwksServer
let t: TestApp
let es: SigningKey
let rsa: SigningKey
let twinA: SigningKey
let twinB: SigningKey

beforeAll(async () => {
  es = await makeKey('ES256', 'es-1')
  rsa = await makeKey('RS256', 'rsa-1')
  twinA = await makeKey('ES256', 'twin')
  twinB = await makeKey('ES256', 'twin')
  jwks = await JwksServer.serving(es, rsa, twinA, twinB)
  t = await build({ auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, jwks_url: `${jwks.url}/jwks.json`, max_token_age: '1h', max_tier: 'auditor' } } })
})
afterAll(async () => {
  await t.app.close()
  await jwks.stop()
})

async function call (token: string) {
  return t.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${token}` } })
}

/** 401 invalid_token with nothing about which check failed; the audit line has the reason. */
async function expectRejected (token: string, reason: string) {
  const res = await call(token)
  expectError(res, 401, 'CPXD_ERR_UNAUTHENTICATED', 'the credentials presented are not valid')
  expect(res.headers['www-authenticate']).toBe('Bearer realm="cpxd", error="invalid_token"')
  const line = t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])
  expect(line?.reason).toBe(reason)
  expect(JSON.stringify(line)).not.toContain(token)
}

describe('a valid token', () => {
  it('is accepted, and the audit line names subject and issuer', async () => {
    const res = await call(await signToken(es))
    expect(res.statusCode).toBe(200)
    const line = t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])
    expect(line?.principal).toEqual({ kind: 'jwt', id: 'grc-tool@acme', issuer: ISSUER })
    expect(line?.tier).toBe('customer')
  })

  it('signed by hand (the signer the crit test uses) is accepted without crit', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = signRawEs256(es, { alg: 'ES256', kid: es.kid }, { iss: ISSUER, aud: AUDIENCE, sub: 'x', iat: now, exp: now + 600, cpx_tenants: ['acme'] })
    expect((await call(token)).statusCode).toBe(200)
  })

  it('signed with RS256 is accepted too', async () => {
    expect((await call(await signToken(rsa))).statusCode).toBe(200)
  })
})

describe('rejected tokens', () => {
  it('alg: none', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: ISSUER, aud: AUDIENCE, sub: 'x', iat: now, exp: now + 600, cpx_tenants: ['acme'] })}.`
    await expectRejected(token, 'alg_none')
  })

  it('an algorithm outside the allowlist (ES384)', async () => {
    await expectRejected(await signToken(await makeKey('ES384', 'es-1')), 'alg_not_allowed')
  })

  it('HS256 signed with the RSA public key as its secret (algorithm confusion)', async () => {
    const pem = await exportSPKI(await importJWK(rsa.publicJwk, 'RS256') as Parameters<typeof exportSPKI>[0])
    const now = Math.floor(Date.now() / 1000)
    const signingInput = `${b64url({ alg: 'HS256', kid: rsa.kid, typ: 'JWT' })}.${b64url({ iss: ISSUER, aud: AUDIENCE, sub: 'x', iat: now, exp: now + 600, cpx_tenants: ['acme'], cpx_tier: 'auditor' })}`
    const signature = createHmac('sha256', pem).update(signingInput).digest('base64url')
    await expectRejected(`${signingInput}.${signature}`, 'alg_not_allowed')
  })

  it('a bad signature (payload altered after signing)', async () => {
    const [header, , signature] = (await signToken(es)).split('.')
    const now = Math.floor(Date.now() / 1000)
    const forged = b64url({ iss: ISSUER, aud: AUDIENCE, sub: 'grc-tool@acme', iat: now, exp: now + 600, cpx_tenants: ['acme', 'globex'], cpx_tier: 'auditor' })
    await expectRejected(`${header}.${forged}.${signature}`, 'bad_signature')
  })

  it('an expired token (past the clock tolerance)', async () => {
    await expectRejected(await signToken(es, { iat: -600, exp: -120 }), 'expired')
  })

  it('nbf in the future', async () => {
    await expectRejected(await signToken(es, { nbf: 600 }), 'not_yet_valid')
  })

  it('no exp', async () => {
    await expectRejected(await signToken(es, { exp: null }), 'missing_exp')
  })

  it('no iat (max_token_age cannot be checked)', async () => {
    await expectRejected(await signToken(es, { iat: null }), 'missing_iat')
  })

  it('the wrong issuer', async () => {
    await expectRejected(await signToken(es, { iss: 'https://evil.example/' }), 'wrong_issuer')
  })

  it('the wrong audience', async () => {
    await expectRejected(await signToken(es, { aud: 'another-service' }), 'wrong_audience')
  })

  it('an unknown crit header', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = signRawEs256(es, { alg: 'ES256', kid: es.kid, crit: ['x-cpxd-test'], 'x-cpxd-test': true },
      { iss: ISSUER, aud: AUDIENCE, sub: 'x', iat: now, exp: now + 600, cpx_tenants: ['acme'] })
    await expectRejected(token, 'crit_not_supported')
  })

  it('a token over 8 KiB', async () => {
    const token = await signToken(es, { claims: { padding: 'x'.repeat(9000) } })
    await expectRejected(token, 'credential_too_long')
  })

  it('issued longer ago than max_token_age', async () => {
    await expectRejected(await signToken(es, { iat: -7200, exp: 600 }), 'too_old')
  })

  it('an exp further ahead than max_token_age', async () => {
    await expectRejected(await signToken(es, { exp: 2 * 86_400 }), 'exp_too_far')
  })

  it('a kid that matches several keys', async () => {
    await expectRejected(await signToken(twinA), 'ambiguous_kid')
  })

  it('a kid that matches no key', async () => {
    await expectRejected(await signToken(await makeKey('ES256', 'nobody')), 'unknown_kid')
  })

  it('no subject', async () => {
    await expectRejected(await signToken(es, { sub: null }), 'missing_sub')
  })

  it.each(['jwk', 'jku', 'x5u', 'x5c'])('a key named in the token itself (%s), which is never fetched', async (name) => {
    const attacker = await makeKey('ES256', 'es-1')
    const values: Record<string, unknown> = {
      jwk: attacker.publicJwk,
      jku: `${jwks.url}/attacker-jwks.json`,
      x5u: `${jwks.url}/attacker-cert.pem`,
      x5c: ['MIIBszCCAVmgAwIBAgIUE']
    }
    await expectRejected(await signToken(attacker, { header: { [name]: values[name] } }), 'embedded_key_header')
    expect(jwks.hitsOf('/attacker-jwks.json') + jwks.hitsOf('/attacker-cert.pem')).toBe(0)
  })

  it('garbage that is not a JWT', async () => {
    await expectRejected('not.a.jwt', 'malformed_token')
  })

  it('a tier claim that is not a tier', async () => {
    await expectRejected(await signToken(es, { claims: { cpx_tier: 'admin' } }), 'bad_tier_claim')
  })

  it('a tenants claim that is not a list of tenant ids', async () => {
    await expectRejected(await signToken(es, { claims: { cpx_tenants: 'acme' } }), 'bad_tenants_claim')
    await expectRejected(await signToken(es, { claims: { cpx_tenants: ['*'] } }), 'bad_tenants_claim')
  })
})
