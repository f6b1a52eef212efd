import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build } from '../../helpers/build.ts'
import { expectError } from '../../helpers/expect-error.ts'
import { AUDIENCE, ISSUER, JwksServer, makeKey, signToken, type SigningKey } from '../../helpers/jwt.ts'

let jwks: JwksServer
let key: SigningKey
beforeAll(async () => {
  key = await makeKey('ES256', 'es-1')
  jwks = await JwksServer.serving(key)
})
afterAll(async () => { await jwks.stop() })

const jwtConfig = () => ({ auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, jwks_url: `${jwks.url}/jwks.json`, jwks_cooldown: '2s' } } })

describe('when the JWKS endpoint is down', () => {
  it('answers 503 with Retry-After when no key was ever fetched, and logs the reason', async () => {
    jwks.down = true
    const t = await build(jwtConfig())
    const res = await t.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${await signToken(key)}` } })
    expectError(res, 503, 'CPXD_ERR_UNAVAILABLE', 'credentials cannot be checked right now, retry later')
    expect(res.headers['retry-after']).toBe('2')
    expect(t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])?.reason).toBe('jwks_unavailable')
    await t.app.close()
  })

  it('keeps accepting tokens with the keys it already has', async () => {
    jwks.down = false
    const t = await build(jwtConfig())
    const token = await signToken(key)
    expect((await t.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200)
    jwks.down = true
    expect((await t.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200)
    await t.app.close()
  })
})
