import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, KEYS, type TestApp } from '../helpers/build.ts'

let t: TestApp
beforeAll(async () => {
  t = await build({ rate_limit: { max: 3, window: '1m' } })
  // A route that fails the way a bug would, with a message that must never reach the client.
  t.app.get('/test/boom', async () => { throw new Error('ENOENT /srv/cpxd/secret/path.yaml') })
})
afterAll(async () => { await t.app.close() })

const EXPECTED = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer'
}

describe('security headers', () => {
  it('are on every response, errors included', async () => {
    const responses = {
      200: await t.app.inject({ url: '/cpx', remoteAddress: '10.9.0.1' }),
      400: await t.app.inject({ url: '/cpx?format=xml', remoteAddress: '10.9.0.2' }),
      401: await t.app.inject({ url: '/cpx/acme', remoteAddress: '10.9.0.3' }),
      403: await t.app.inject({ url: '/cpx/globex', headers: { 'x-api-key': KEYS.acmeCustomer } }),
      404: await t.app.inject({ url: '/nothing-here', remoteAddress: '10.9.0.4' }),
      413: await t.app.inject({ method: 'PUT', url: '/cpx', payload: 'x'.repeat(20_000), headers: { 'content-type': 'application/json' }, remoteAddress: '10.9.0.5' }),
      500: await t.app.inject({ url: '/test/boom', remoteAddress: '10.9.9.9' })
    }
    for (let i = 0; i < 4; i++) await t.app.inject({ url: '/cpx', remoteAddress: '10.1.1.1' })
    const limited = await t.app.inject({ url: '/cpx', remoteAddress: '10.1.1.1' })
    for (const [status, res] of Object.entries({ ...responses, 429: limited })) {
      expect(res.statusCode, `status ${status}`).toBe(Number(status))
      expect(res.headers, `status ${status}`).toMatchObject(EXPECTED)
      expect(res.headers['x-powered-by'], `status ${status}`).toBeUndefined()
      // Plain HTTP: HSTS only over HTTPS (test/http/tls.test.ts).
      expect(res.headers['strict-transport-security'], `status ${status}`).toBeUndefined()
      expect(res.headers['x-request-id'], `status ${status}`).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('hides everything about a 500: no message, path or stack', async () => {
    const res = await t.app.inject({ url: '/test/boom', remoteAddress: '10.9.9.8' })
    expect(res.json()).toEqual({ error: { code: 'CPXD_ERR_INTERNAL', message: 'internal error', request_id: res.headers['x-request-id'] } })
    expect(res.body).not.toContain('secret')
    expect(res.body).not.toContain('ENOENT')
  })

  it('refuses a declared oversize body on a GET route with 413 before reading it', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/cpx', payload: 'x'.repeat(20_000), remoteAddress: '10.9.9.7' })
    expect(res.statusCode).toBe(413)
    expect(res.json().error).toMatchObject({ code: 'CPXD_ERR_BODY_TOO_LARGE', message: 'request body is too large' })
  })
})
