import { createServer } from 'node:http'
import { errors, type FlattenedJWSInput } from 'jose'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { JwksUnavailableError, RemoteJwks } from '../../../src/auth/jwt/remote-jwks.ts'
import { JwksServer, makeKey, type SigningKey } from '../../helpers/jwt.ts'

const TOKEN = { payload: '', signature: '' } as FlattenedJWSInput
let server: JwksServer
let a: SigningKey
let b: SigningKey

beforeEach(async () => {
  // Only the clock RemoteJwks reads is faked: the JWKS server and fetch run on real sockets.
  vi.useFakeTimers({ toFake: ['Date'] })
  a = await makeKey('ES256', 'key-a')
  b = await makeKey('ES256', 'key-b')
  server = await new JwksServer().start()
  server.keys = [a.publicJwk]
})
afterEach(async () => {
  vi.useRealTimers()
  await server.stop()
})

/** Time passes for RemoteJwks, without the test waiting for it. */
function pass (ms: number): void {
  vi.setSystemTime(Date.now() + ms)
}

function remote (opts: Partial<{ maxAgeMs: number, cooldownMs: number }> = {}, refreshErrors: string[] = []) {
  return new RemoteJwks(`${server.url}/jwks.json`, { maxAgeMs: 60_000, cooldownMs: 50, timeoutMs: 1000, onRefreshError: (r) => refreshErrors.push(r), ...opts })
}
const keyFor = (jwks: RemoteJwks, kid: string) => jwks.getKey({ alg: 'ES256', kid }, TOKEN)

describe('RemoteJwks', () => {
  it('fetches once and serves later lookups from its cache', async () => {
    const jwks = remote()
    await keyFor(jwks, 'key-a')
    await keyFor(jwks, 'key-a')
    expect(server.hitsOf('/jwks.json')).toBe(1)
  })

  it('picks up a rotated-in kid by refreshing once the cooldown has passed', async () => {
    const jwks = remote()
    await keyFor(jwks, 'key-a')
    server.keys = [a.publicJwk, b.publicJwk]
    pass(60)
    await expect(keyFor(jwks, 'key-b')).resolves.toBeDefined()
    expect(server.hitsOf('/jwks.json')).toBe(2)
  })

  it('does not refetch for unknown kids within the cooldown', async () => {
    const jwks = remote({ cooldownMs: 60_000 })
    await keyFor(jwks, 'key-a')
    for (let i = 0; i < 5; i++) await expect(keyFor(jwks, `junk-${i}`)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey)
    expect(server.hitsOf('/jwks.json')).toBe(1)
  })

  it('stops trusting a removed kid once the cache window has passed', async () => {
    const jwks = remote({ maxAgeMs: 100 })
    await keyFor(jwks, 'key-a')
    server.keys = [b.publicJwk]
    await expect(keyFor(jwks, 'key-a')).resolves.toBeDefined()
    pass(150)
    await expect(keyFor(jwks, 'key-a')).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey)
  })

  it('keeps its last keys when the IdP is down, and says why', async () => {
    const refreshErrors: string[] = []
    const jwks = remote({ maxAgeMs: 100 }, refreshErrors)
    await keyFor(jwks, 'key-a')
    server.down = true
    pass(150)
    await expect(keyFor(jwks, 'key-a')).resolves.toBeDefined()
    expect(refreshErrors).toEqual(['JWKS answered HTTP 503'])
  })

  it('is unavailable (not "no such key") when nothing was ever fetched', async () => {
    server.down = true
    await expect(keyFor(remote(), 'key-a')).rejects.toBeInstanceOf(JwksUnavailableError)
  })

  it('is unavailable for an unknown kid when the refresh fails', async () => {
    const jwks = remote()
    await keyFor(jwks, 'key-a')
    server.down = true
    pass(60)
    await expect(keyFor(jwks, 'key-b')).rejects.toBeInstanceOf(JwksUnavailableError)
  })

  it('does not follow redirects and refuses an oversize body', async () => {
    const redirect = createServer((_req, res) => res.writeHead(302, { location: `${server.url}/jwks.json` }).end())
    const huge = createServer((_req, res) => res.writeHead(200).end(JSON.stringify({ keys: [], pad: 'x'.repeat(300_000) })))
    for (const [srv, reason] of [[redirect, 'JWKS answered HTTP 302'], [huge, 'JWKS is larger than 256 KiB']] as const) {
      await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
      const reasons: string[] = []
      const jwks = new RemoteJwks(`http://127.0.0.1:${(srv.address() as { port: number }).port}/`, { maxAgeMs: 60_000, cooldownMs: 50, timeoutMs: 1000, onRefreshError: (r) => reasons.push(r) })
      await expect(keyFor(jwks, 'key-a')).rejects.toBeInstanceOf(JwksUnavailableError)
      expect(reasons).toEqual([reason])
      await new Promise<void>((resolve) => srv.close(() => resolve()))
    }
    expect(server.hitsOf('/jwks.json')).toBe(0)
  })
})
