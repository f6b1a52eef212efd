import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'

describe('overload (@fastify/under-pressure)', () => {
  let t: TestApp
  beforeAll(async () => {
    // Any process uses more than 1 MiB of heap: past the limit from the first sample on.
    t = await build({ overload: { max_heap_used_bytes: 1024 * 1024, sample_interval: '10ms', retry_after: '7s' } })
    for (let i = 0; i < 200 && !t.app.isUnderPressure(); i++) await sleep(10)
  })
  afterAll(async () => { await t.app.close() })

  it('answers 503 with Retry-After in cpxd\'s error shape, with the security headers', async () => {
    expect(t.app.isUnderPressure()).toBe(true)
    const res = await t.app.inject('/cpx')
    expectError(res, 503, 'CPXD_ERR_UNAVAILABLE', 'the server is overloaded, retry later')
    expect(res.headers['retry-after']).toBe('7')
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'")
  })

  it('writes the audit line with reason overloaded, before any credential is checked', async () => {
    const res = await t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer } })
    expect(res.statusCode).toBe(503)
    expect(t.auditLines().at(-1)).toMatchObject({ request_id: res.headers['x-request-id'], status: 503, reason: 'overloaded', principal: null })
  })

  it('still answers the probes', async () => {
    expect((await t.app.inject('/healthz')).statusCode).toBe(200)
    expect((await t.app.inject('/readyz')).statusCode).toBe(200)
  })
})
