import { afterEach, describe, expect, it, vi } from 'vitest'
import { Authenticator } from '../../src/auth/authenticator.ts'
import { ALLOWED_ORIGIN, build, type TestApp } from '../helpers/build.ts'

let apps: TestApp[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const t of apps) await t.app.close()
  apps = []
})

async function app (rateLimit: Record<string, unknown>): Promise<TestApp> {
  const t = await build({ rate_limit: { window: '1m', ...rateLimit } })
  apps.push(t)
  return t
}

const status = async (t: TestApp, remoteAddress: string, headers: Record<string, string> = {}, method: 'GET' | 'OPTIONS' = 'GET') =>
  (await t.app.inject({ method, url: '/cpx', remoteAddress, headers })).statusCode

describe('rate-limit attacks', () => {
  it('counts CORS preflights: a limited client gets 429, not 204', async () => {
    const t = await app({ max: 2 })
    expect([await status(t, '10.1.0.1'), await status(t, '10.1.0.1')]).toEqual([200, 200])
    const preflight = { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'GET' }
    expect(await status(t, '10.1.0.1', preflight, 'OPTIONS')).toBe(429)
    expect(await status(t, '10.1.0.2', preflight, 'OPTIONS')).toBe(204)
    expect(t.auditLines().filter((l) => l.event === 'cors_preflight').map((l) => l.status)).toEqual([429, 204])
  })

  it('checks a cheap per-address bucket before any credential is verified', async () => {
    const t = await app({ max: 2, pre_auth_max: 4 })
    const authenticate = vi.spyOn(Authenticator.prototype, 'authenticate')
    const statuses = []
    for (let i = 0; i < 8; i++) statuses.push(await status(t, '10.2.0.1', { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln' }))
    expect(statuses).toEqual([401, 401, 429, 429, 429, 429, 429, 429])
    expect(authenticate).toHaveBeenCalledTimes(4)
  })

  it('keeps an active client\'s bucket through a flood of new addresses', async () => {
    const t = await app({ max: 2 })
    for (let i = 0; i < 2; i++) await status(t, '10.3.0.1')
    expect(await status(t, '10.3.0.1')).toBe(429)
    for (let i = 0; i < 6000; i++) await t.app.inject({ url: '/nothing', remoteAddress: `10.4.${i >> 8}.${i & 255}` })
    expect(await status(t, '10.3.0.1')).toBe(429)
  })

  it('counts an IPv6 client by its /64, so rotating addresses inside it gains nothing', async () => {
    const t = await app({ max: 2 })
    expect([await status(t, '2001:db8:1:2::1'), await status(t, '2001:db8:1:2:aaaa:bbbb:cccc:dddd')]).toEqual([200, 200])
    expect(await status(t, '2001:db8:1:2::ffff')).toBe(429)
    expect(await status(t, '2001:db8:1:3::1')).toBe(200)
    expect(await status(t, '::ffff:10.5.0.1')).toBe(200)
  })
})
