import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, buildTestApp, testConfig, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

let t: TestApp
beforeAll(async () => { t = await build() })
afterAll(async () => { await t.app.close() })

describe('health', () => {
  it('/healthz says the process is alive', async () => {
    const res = await t.app.inject('/healthz')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('/readyz says ready once posture is loaded', async () => {
    const res = await t.app.inject('/readyz')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ state: 'ready', posture_version: 1, stale_tenants: [], last_reload: null })
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('/readyz answers 503 with Retry-After before posture is loaded', async () => {
    const app = await buildTestApp(testConfig(), `${scratchDir()}/a.log`)
    const res = await app.inject('/readyz')
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ state: 'loading', hashed: 0, total: 0 })
    expect(res.headers['retry-after']).toBe('5')
    expect(res.headers['cache-control']).toBe('no-store')
    const posture = await app.inject('/cpx')
    expectError(posture, 503, 'CPXD_ERR_UNAVAILABLE', 'posture is not loaded yet, retry later')
    expect(posture.headers['retry-after']).toBe('5')
    expect((await app.inject('/healthz')).statusCode).toBe(200)
    await app.close()
  })
})
