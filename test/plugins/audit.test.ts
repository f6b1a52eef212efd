import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALLOWED_ORIGIN, build, KEYS, type TestApp } from '../helpers/build.ts'

let t: TestApp
beforeAll(async () => { t = await build({ rate_limit: { max: 1, window: '1m' } }) })
afterAll(async () => { await t.app.close() })

describe('audit line', () => {
  it('is written once for every request, refused ones included', async () => {
    const before = t.auditLines().length
    const requests = [
      { url: '/cpx', remoteAddress: '10.2.0.1' },
      { url: '/cpx?format=xml', remoteAddress: '10.2.0.2' },
      { url: '/cpx/acme', remoteAddress: '10.2.0.3' },
      { url: '/cpx/globex', headers: { 'x-api-key': KEYS.acmeCustomer } },
      { url: '/nope', remoteAddress: '10.2.0.4' },
      { url: '/cpx', remoteAddress: '10.2.0.1' },
      { method: 'OPTIONS' as const, url: '/cpx', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'GET' }, remoteAddress: '10.2.0.5' }
    ]
    const statuses = []
    for (const request of requests) statuses.push((await t.app.inject(request)).statusCode)
    expect(statuses).toEqual([200, 400, 401, 403, 404, 429, 204])
    const lines = t.auditLines().slice(before)
    expect(lines.map((l) => l.status)).toEqual(statuses)
    expect(lines.map((l) => l.event)).toEqual(['posture_read', 'posture_read', 'posture_read', 'posture_read', 'http_request', 'posture_read', 'cors_preflight'])
  })

  it('carries the fields DESIGN.md lists, with the principal, tenant, tier and refusal reason', async () => {
    const res = await t.app.inject({ url: '/cpx/globex?format=json', headers: { 'x-api-key': KEYS.publicTier, 'user-agent': 'grc-tool/1.0' } })
    const line = t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])
    expect(line).toMatchObject({
      log: 'audit',
      event: 'posture_read',
      client_ip: '127.0.0.1',
      user_agent: 'grc-tool/1.0',
      principal: { kind: 'api_key', id: 'public-reader' },
      tenant: 'globex',
      tier: 'public',
      method: 'GET',
      route: '/cpx/:tenant',
      path: '/cpx/globex',
      params: { tenant: 'globex', format: 'json' },
      status: 403,
      reason: 'tenant_not_granted'
    })
    expect(typeof line?.duration_ms).toBe('number')
    expect(Date.parse(String(line?.time))).not.toBeNaN()
  })

  it('names the throttled principal on a 429', async () => {
    const res = await t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer } })
    expect(res.statusCode).toBe(429)
    const line = t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])
    expect(line).toMatchObject({ status: 429, principal: { kind: 'api_key', id: 'acme-customer' } })
  })

  it('records why a credential was refused, never the credential', async () => {
    const wrong = `cpxd_${'Z'.repeat(43)}`
    const res = await t.app.inject({ url: '/cpx/acme?token=hunter2', headers: { authorization: `Bearer ${wrong}`, cookie: 'session=s3cr3t' }, remoteAddress: '10.2.0.9' })
    const line = t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])
    expect(line).toMatchObject({ status: 401, reason: 'unknown_api_key', principal: null, path: '/cpx/acme' })
    const log = JSON.stringify(t.auditLines())
    for (const secret of [wrong, KEYS.acmeCustomer, KEYS.auditorAll, 's3cr3t', 'hunter2']) expect(log).not.toContain(secret)
  })
})
