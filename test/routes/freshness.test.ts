import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadPostureFile } from '../../src/posture/loader.ts'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { startupErrorFrom } from '../helpers/startup-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

const HOUR_MS = 3_600_000
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString()
const FRAMEWORKS = 'frameworks: [{ name: SOC2, status: compliant, score: 1 }]'
const STALE_MESSAGE = 'this posture is out of date and is not served until a current one is published; retry later'

describe('posture freshness (posture.stale_after)', () => {
  let t: TestApp
  beforeAll(async () => {
    const dir = scratchDir({
      // Two days old against a 1-day limit: stale.
      '_default.yaml': `timestamp: "${iso(48 * HOUR_MS)}"\n${FRAMEWORKS}\n`,
      // A year old, but this file opts out.
      'acme.yaml': `timestamp: "${iso(8760 * HOUR_MS)}"\nstale_after: off\n${FRAMEWORKS}\n`,
      // Fresh by the global limit, stale by its own.
      'globex.yaml': `timestamp: "${iso(2 * HOUR_MS)}"\nstale_after: 1h\n${FRAMEWORKS}\n`,
      'initech.yaml': `timestamp: "${iso(HOUR_MS)}"\n${FRAMEWORKS}\n`
    })
    t = await build({ posture_dir: dir, posture: { stale_after: '1d' } })
  })
  afterAll(async () => { await t.app.close() })

  it('answers a stale posture 503 with Retry-After, and audits posture_stale', async () => {
    const res = await t.app.inject('/cpx')
    expectError(res, 503, 'CPXD_ERR_UNAVAILABLE', STALE_MESSAGE)
    expect(res.headers['retry-after']).toBe('300')
    expect(t.auditLines().at(-1)).toMatchObject({ status: 503, reason: 'posture_stale', tenant: null, path: '/cpx' })
  })

  it('lets a posture file override the limit, either way', async () => {
    expect((await t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer } })).statusCode).toBe(200)
    const globex = await t.app.inject({ url: '/cpx/globex', headers: { 'x-api-key': KEYS.auditorAll } })
    expectError(globex, 503, 'CPXD_ERR_UNAVAILABLE', STALE_MESSAGE)
    expect(t.auditLines().at(-1)).toMatchObject({ status: 503, reason: 'posture_stale', tenant: 'globex' })
    expect((await t.app.inject({ url: '/cpx/initech', headers: { 'x-api-key': KEYS.auditorAll } })).statusCode).toBe(200)
  })

  it('tells a caller who may not read the tenant nothing about its freshness', async () => {
    const res = await t.app.inject({ url: '/cpx/globex', headers: { 'x-api-key': KEYS.acmeCustomer } })
    expect(res.statusCode).toBe(403)
  })

  it('never serves the file-only stale_after key', async () => {
    const res = await t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer } })
    expect(res.body).not.toContain('stale_after')
  })

  it('/readyz stays 200 and names the stale postures', async () => {
    const res = await t.app.inject('/readyz')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ state: 'ready', stale_tenants: ['_default', 'globex'] })
  })

  it('refuses a limit that is not a duration in range, naming file and path', () => {
    const dir = scratchDir({ 'acme.yaml': `stale_after: 5s\n${FRAMEWORKS}\n` })
    const err = startupErrorFrom(() => loadPostureFile(`${dir}/acme.yaml`))
    expect(err.path).toBe('stale_after')
    expect(err.message).toContain('must be between 1m and')
  })
})
