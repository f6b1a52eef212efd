import { afterEach, describe, expect, it, vi } from 'vitest'
import { JwtVerifier } from '../../../src/auth/jwt/jwt-verifier.ts'
import { VerifiedTokenCache } from '../../../src/auth/jwt/verified-token-cache.ts'
import { ANONYMOUS } from '../../../src/domain/principal.ts'
import { jwtIssuerSchema } from '../../../src/config/jwt-schema.ts'
import type { JWTVerifyGetKey } from 'jose'
import { AUDIENCE, ISSUER, makeKey, signToken } from '../../helpers/jwt.ts'

afterEach(() => { vi.useRealTimers() })

describe('VerifiedTokenCache', () => {
  it('forgets an entry at its deadline', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const cache = new VerifiedTokenCache()
    cache.set('t', ANONYMOUS, Date.now() + 1000)
    expect(cache.get('t')).toBe(ANONYMOUS)
    vi.advanceTimersByTime(1000)
    expect(cache.get('t')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('keeps at most maxEntries, dropping the one verified first, used since or not', () => {
    const cache = new VerifiedTokenCache(2)
    const until = Date.now() + 60_000
    cache.set('a', ANONYMOUS, until)
    cache.set('b', ANONYMOUS, until)
    cache.get('a')
    cache.set('c', ANONYMOUS, until)
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, ANONYMOUS, ANONYMOUS])
    expect(cache.size).toBe(2)
  })

  it('puts a token verified again after its entry ended at the young end', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const cache = new VerifiedTokenCache(2)
    cache.set('a', ANONYMOUS, Date.now() + 1000)
    cache.set('b', ANONYMOUS, Date.now() + 60_000)
    vi.advanceTimersByTime(1000)
    cache.set('a', ANONYMOUS, Date.now() + 60_000)
    cache.set('c', ANONYMOUS, Date.now() + 60_000)
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([ANONYMOUS, undefined, ANONYMOUS])
  })
})

describe('JwtVerifier with its cache', () => {
  async function verifier (cacheWindow = '1m') {
    const key = await makeKey('ES256', 'k1')
    const { createLocalJWKSet } = await import('jose')
    const config = jwtIssuerSchema.parse({ issuer: ISSUER, audience: AUDIENCE, jwks_file: 'unused', verified_token_cache: cacheWindow })
    return { key, jwt: new JwtVerifier([{ config, key: createLocalJWKSet({ keys: [key.publicJwk] }) }]) }
  }

  it('does not serve an altered token from the cache', async () => {
    const { key, jwt } = await verifier()
    const token = await signToken(key)
    expect((await jwt.verify(token)).ok).toBe(true)
    expect(await jwt.verify(`${token.slice(0, -2)}AA`)).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('never lets a cached token outlive its exp', async () => {
    const { key, jwt } = await verifier('5m')
    const token = await signToken(key, { exp: 60 })
    expect((await jwt.verify(token)).ok).toBe(true)
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 120_000 })
    expect(await jwt.verify(token)).toEqual({ ok: false, reason: 'expired' })
  })

  /** A verifier whose key lookups are counted: each full verification looks the key up once. */
  async function countingVerifier (cacheWindow: string | number) {
    const key = await makeKey('ES256', 'k1')
    const { createLocalJWKSet } = await import('jose')
    const local = createLocalJWKSet({ keys: [key.publicJwk] })
    const counter = { lookups: 0 }
    const counting: JWTVerifyGetKey = async (header, token) => { counter.lookups++; return local(header, token) }
    const config = jwtIssuerSchema.parse({ issuer: ISSUER, audience: AUDIENCE, jwks_file: 'unused', verified_token_cache: cacheWindow })
    return { key, counter, jwt: new JwtVerifier([{ config, key: counting }]) }
  }

  it('verifies a repeated token once per window, then again', async () => {
    const { key, counter, jwt } = await countingVerifier('1s')
    const token = await signToken(key, { exp: 600 })
    for (let i = 0; i < 3; i++) expect((await jwt.verify(token)).ok).toBe(true)
    expect(counter.lookups).toBe(1)
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 1500 })
    expect((await jwt.verify(token)).ok).toBe(true)
    expect(counter.lookups).toBe(2)
  })

  it('with a window of 0 verifies every time', async () => {
    const { key, counter, jwt } = await countingVerifier(0)
    const token = await signToken(key)
    await jwt.verify(token)
    await jwt.verify(token)
    expect(counter.lookups).toBe(2)
  })
})
