import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { writeLargeTenant } from '../helpers/large-posture.ts'
import { scratchDir } from '../helpers/tmp.ts'

const CONTROLS = 3000
const ITEMS = 400

/** The attack's tenant: 3,000 controls and 400 evidence items, an auditor answer of over a megabyte. */
function largeTenant (): { posture: string, evidence: string } {
  const root = scratchDir()
  const posture = join(root, 'posture')
  const evidence = join(root, 'evidence')
  mkdirSync(posture)
  mkdirSync(evidence)
  writeLargeTenant(posture, evidence, { controls: CONTROLS, items: ITEMS })
  return { posture, evidence }
}

let t: TestApp
beforeAll(async () => {
  const { posture, evidence } = largeTenant()
  t = await build({ posture_dir: posture, evidence: { local_root: evidence, cache_dir: join(scratchDir(), 'cache') }, rate_limit: { max: 1000, window: '1m', max_in_flight: 2 } })
})
afterAll(async () => {
  vi.useRealTimers()
  await t.app.close()
})

describe('a large auditor answer', () => {
  it('is the same document in YAML as in JSON, links and all, with expiry times quoted', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
    const headers = { 'x-api-key': KEYS.auditorAll }
    const json = await t.app.inject({ url: '/cpx/acme', headers })
    const yaml = await t.app.inject({ url: '/cpx/acme?format=yaml', headers })
    vi.useRealTimers()
    expect(json.rawPayload.length).toBeGreaterThan(300_000)
    expect(yaml.headers['content-type']).toBe('application/yaml; charset=utf-8')
    expect(parse(yaml.body)).toEqual(json.json())
    expect(yaml.body).toMatch(/\n +expires: "\d{4}-\d\d-\d\dT[\d:.]+Z"\n/)
  })

  it('is refused with 429 past max_in_flight requests at once from one caller, and served again once they are answered', async () => {
    const headers = { 'x-api-key': KEYS.auditorAll }
    const [first, second, third] = await Promise.all([0, 1, 2].map(async () => t.app.inject({ url: '/cpx/acme?format=yaml', headers })))
    const statuses = [first, second, third].map((res) => res?.statusCode).sort()
    expect(statuses).toEqual([200, 200, 429])
    const refused = [first, second, third].find((res) => res?.statusCode === 429)
    expect(t.auditLines().find((l) => l.request_id === refused?.headers['x-request-id'])).toMatchObject({ status: 429, reason: 'too_many_in_flight' })
    expect((await t.app.inject({ url: '/cpx/acme', headers })).statusCode).toBe(200)
  })
})
