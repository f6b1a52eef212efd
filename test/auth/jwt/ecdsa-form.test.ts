import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { tokenForm } from '../../../src/auth/jwt/ecdsa-form.ts'
import { JwtVerifier } from '../../../src/auth/jwt/jwt-verifier.ts'
import { build, type TestApp } from '../../helpers/build.ts'
import { AUDIENCE, ISSUER, JwksServer, makeKey, signToken, type SigningKey } from '../../helpers/jwt.ts'

const P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551n

/** The same token with the other S of its ECDSA signature, which verifies just the same. */
function twin (token: string): string {
  const dot = token.lastIndexOf('.')
  const signature = Buffer.from(token.slice(dot + 1), 'base64url')
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`)
  const other = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex')
  return `${token.slice(0, dot + 1)}${Buffer.concat([signature.subarray(0, 32), other]).toString('base64url')}`
}

/** A valid token in both spellings. */
async function bothSpellings (key: SigningKey): Promise<{ low: string, high: string }> {
  const token = await signToken(key)
  return tokenForm(token, 'ES256').lowS ? { low: token, high: twin(token) } : { low: twin(token), high: token }
}

let jwks: JwksServer
let key: SigningKey
let lenient: TestApp
let strict: TestApp
beforeAll(async () => {
  key = await makeKey('ES256', 'es-form')
  jwks = await JwksServer.serving(key)
  const jwt = { issuer: ISSUER, audience: AUDIENCE, jwks_url: `${jwks.url}/jwks.json` }
  lenient = await build({ auth: { api_keys: [], jwt } })
  strict = await build({ auth: { api_keys: [], jwt: { ...jwt, ecdsa_low_s_only: true } } })
})
afterAll(async () => {
  vi.restoreAllMocks()
  await lenient.app.close()
  await strict.app.close()
  await jwks.stop()
})

const get = (t: TestApp, token: string) => t.app.inject({ url: '/cpx/acme', headers: { authorization: `Bearer ${token}` } })

describe('the two spellings of an ECDSA signature', () => {
  it('name one token: the low-S spelling is the canonical one', async () => {
    const { low, high } = await bothSpellings(key)
    expect(high).not.toBe(low)
    expect(tokenForm(high, 'ES256')).toEqual({ canonical: low, lowS: false })
    expect(tokenForm(low, 'ES256')).toEqual({ canonical: low, lowS: true })
    expect(tokenForm(low, 'RS256')).toEqual({ canonical: low, lowS: true })
  })

  it('are one token to cpxd: the second spelling is not verified again', async () => {
    const verifyFully = vi.spyOn(JwtVerifier.prototype as unknown as { verifyFully: () => Promise<unknown> }, 'verifyFully')
    const { low, high } = await bothSpellings(key)
    expect((await get(lenient, low)).statusCode).toBe(200)
    expect((await get(lenient, high)).statusCode).toBe(200)
    expect(verifyFully).toHaveBeenCalledTimes(1)
  })

  it('an issuer held to low S (ecdsa_low_s_only) has the other spelling refused', async () => {
    const { low, high } = await bothSpellings(key)
    expect((await get(strict, low)).statusCode).toBe(200)
    const res = await get(strict, high)
    expect(res.statusCode).toBe(401)
    expect(strict.auditLines().find((l) => l.request_id === res.headers['x-request-id'])).toMatchObject({ reason: 'high_s_signature' })
  })
})
