import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, buildTestApp, KEYS, testConfig, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

let t: TestApp
beforeAll(async () => { t = await build() })
afterAll(async () => { await t.app.close() })

describe('X-CPX-Version', () => {
  it('is on every answer at /cpx and /cpx/<tenant>, errors included', async () => {
    const answers = await Promise.all([
      t.app.inject('/cpx'),
      t.app.inject('/cpx?format=yaml'),
      t.app.inject('/cpx?format=xml'),
      t.app.inject('/cpx/acme'),
      t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer } }),
      t.app.inject({ url: '/cpx/globex', headers: { 'x-api-key': KEYS.acmeCustomer } }),
      t.app.inject({ method: 'DELETE', url: '/cpx' })
    ])
    expect(answers.map((res) => [res.statusCode, res.headers['x-cpx-version']])).toEqual([
      [200, 'v1'], [200, 'v1'], [400, 'v1'], [401, 'v1'], [200, 'v1'], [403, 'v1'], [405, 'v1']
    ])
  })

  it('is on the 503 while posture loads, and not on cpxd\'s other paths', async () => {
    const app = await buildTestApp(testConfig(), `${scratchDir()}/a.log`)
    expect((await app.inject('/cpx')).headers['x-cpx-version']).toBe('v1')
    await app.close()
    expect((await t.app.inject('/healthz')).headers['x-cpx-version']).toBeUndefined()
    expect((await t.app.inject('/cpxfoo')).headers['x-cpx-version']).toBeUndefined()
  })
})

describe('a wrong method on a known path', () => {
  it('is 405 in cpxd\'s error shape with Allow, before any credential is asked for, and audited', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/cpx', payload: { version: 'v1' } })
    expectError(res, 405, 'CPXD_ERR_METHOD_NOT_ALLOWED', 'PUT is not allowed here; use GET, HEAD, OPTIONS, POST')
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, POST')
    expect(t.auditLines().at(-1)).toMatchObject({ request_id: res.headers['x-request-id'], method: 'PUT', status: 405, reason: 'method_not_allowed' })

    const tenant = await t.app.inject({ method: 'DELETE', url: '/cpx/acme' })
    expectError(tenant, 405, 'CPXD_ERR_METHOD_NOT_ALLOWED', 'DELETE is not allowed here; use GET, HEAD, OPTIONS, POST')
    const probe = await t.app.inject({ method: 'PUT', url: '/healthz' })
    expectError(probe, 405, 'CPXD_ERR_METHOD_NOT_ALLOWED', 'PUT is not allowed here; use GET, HEAD')
    expect(probe.headers.allow).toBe('GET, HEAD')
    expect((await t.app.inject({ method: 'PATCH', url: '/evidence/acme/x' })).headers.allow).toBe('GET, HEAD')
  })

  it('is still 404 on a path cpxd does not have', async () => {
    expectError(await t.app.inject({ method: 'POST', url: '/nope' }), 404, 'CPXD_ERR_NOT_FOUND', 'not found')
  })
})
