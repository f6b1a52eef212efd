import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALLOWED_ORIGIN, build, type TestApp } from '../helpers/build.ts'

let t: TestApp
beforeAll(async () => { t = await build() })
afterAll(async () => { await t.app.close() })

describe('CORS allowlist', () => {
  it('allows an exact allowed origin and exposes the caching and signature headers', async () => {
    const res = await t.app.inject({ url: '/cpx', headers: { origin: ALLOWED_ORIGIN } })
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN)
    expect(String(res.headers['access-control-expose-headers']).split(',').map((h) => h.trim())).toEqual(expect.arrayContaining(['ETag', 'Content-Digest', 'Signature-Input', 'Signature']))
    expect(res.headers['access-control-allow-credentials']).toBeUndefined()
    expect(String(res.headers.vary)).toContain('Origin')
  })

  it.each([
    'https://evil.example',
    `${ALLOWED_ORIGIN}.evil.example`,
    'http://trust.northwind.example',
    'null'
  ])('gives %s no Access-Control-Allow-Origin', async (origin) => {
    const res = await t.app.inject({ url: '/cpx', headers: { origin } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('answers a preflight from an allowed origin with the allowed methods and headers', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/cpx/acme',
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN)
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS')
    expect(res.headers['access-control-allow-headers']).toBe('Authorization, X-API-Key')
    expect(res.headers['access-control-max-age']).toBe('600')
  })

  it('gives a preflight from another origin nothing to go on', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/cpx',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' }
    })
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
    expect(res.headers['access-control-allow-methods']).toBeUndefined()
  })
})
