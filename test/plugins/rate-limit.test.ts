import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'

let t: TestApp
beforeEach(async () => { t = await build({ rate_limit: { max: 2, window: '1m' } }) })
afterEach(async () => { await t.app.close() })

const from = (remoteAddress: string, headers: Record<string, string> = {}) => ({ url: '/cpx', remoteAddress, headers })

describe('rate limit', () => {
  it('answers 429 with Retry-After and the error body once an IP has used its budget', async () => {
    expect((await t.app.inject(from('10.0.0.1'))).statusCode).toBe(200)
    expect((await t.app.inject(from('10.0.0.1'))).statusCode).toBe(200)
    const res = await t.app.inject(from('10.0.0.1'))
    expectError(res, 429, 'CPXD_ERR_RATE_LIMITED', 'too many requests, retry later')
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect((await t.app.inject(from('10.0.0.2'))).statusCode).toBe(200)
  })

  it('limits unknown routes too', async () => {
    for (let i = 0; i < 2; i++) expect((await t.app.inject({ url: '/wp-login.php', remoteAddress: '10.0.0.3' })).statusCode).toBe(404)
    expect((await t.app.inject({ url: '/wp-login.php', remoteAddress: '10.0.0.3' })).statusCode).toBe(429)
  })

  it('counts an authenticated principal apart from its IP', async () => {
    const key = { 'x-api-key': KEYS.acmeCustomer }
    await t.app.inject(from('10.0.0.4'))
    await t.app.inject(from('10.0.0.4'))
    expect((await t.app.inject(from('10.0.0.4'))).statusCode).toBe(429)
    expect((await t.app.inject(from('10.0.0.4', key))).statusCode).toBe(200)
    // The same principal from another address shares its bucket.
    expect((await t.app.inject(from('10.0.0.5', key))).statusCode).toBe(200)
    expect((await t.app.inject(from('10.0.0.6', key))).statusCode).toBe(429)
  })

  it('counts failed authentications against the IP, so guessing keys is limited', async () => {
    const wrong = () => from('10.0.0.7', { 'x-api-key': `cpxd_${'A'.repeat(43)}` })
    expect((await t.app.inject(wrong())).statusCode).toBe(401)
    expect((await t.app.inject(wrong())).statusCode).toBe(401)
    expect((await t.app.inject(wrong())).statusCode).toBe(429)
    expect((await t.app.inject(from('10.0.0.7'))).statusCode).toBe(429)
  })

  it('leaves health probes alone', async () => {
    for (let i = 0; i < 5; i++) expect((await t.app.inject({ url: '/healthz', remoteAddress: '10.0.0.8' })).statusCode).toBe(200)
  })
})
