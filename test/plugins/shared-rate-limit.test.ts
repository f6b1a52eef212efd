import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { build, EXAMPLE_EVIDENCE_DIR, KEYS, type TestApp } from '../helpers/build.ts'
import { scratchDir } from '../helpers/tmp.ts'
import { expectError } from '../helpers/expect-error.ts'
import { redisAvailable, startRedis, type RunningRedis } from '../helpers/redis.ts'

/** Replicas share one evidence link key: start-up refuses shared counters without one. */
function replicaEvidence (): Record<string, string> {
  const dir = scratchDir({ 'gateway.key': randomBytes(32).toString('hex') })
  return { local_root: EXAMPLE_EVIDENCE_DIR, cache_dir: join(dir, 'cache'), gateway_key_file: join(dir, 'gateway.key') }
}

describe.runIf(redisAvailable())('rate limits shared through Redis', () => {
  let redis: RunningRedis
  let a: TestApp
  let b: TestApp

  beforeAll(async () => {
    redis = await startRedis()
    const limits = { redis_url: redis.url, max: 5, pre_auth_max: 8, window: '1m' }
    const evidence = replicaEvidence()
    a = await build({ rate_limit: limits, evidence })
    b = await build({ rate_limit: limits, evidence })
  })
  afterAll(async () => {
    await a.app.close()
    await b.app.close()
    await redis.stop()
  })

  it('holds one caller to one limit across two servers', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const app = i % 2 === 0 ? a.app : b.app
      statuses.push((await app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer }, remoteAddress: `10.20.0.${i + 1}` })).statusCode)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
  })

  it('counts a client address before any credential, across both servers', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 9; i++) {
      // Two principals from one address: their own buckets (5 each) would allow 10.
      const app = i % 2 === 0 ? a.app : b.app
      const key = i % 4 < 2 ? KEYS.auditorAll : KEYS.publicTier
      statuses.push((await app.inject({ url: '/cpx/acme', headers: { 'x-api-key': key }, remoteAddress: '10.30.0.1' })).statusCode)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429])
  })
})

describe.runIf(redisAvailable())('with Redis unreachable', () => {
  let redis: RunningRedis
  let closed: TestApp
  let open: TestApp

  beforeAll(async () => {
    redis = await startRedis()
    closed = await build({ rate_limit: { redis_url: redis.url }, evidence: replicaEvidence() })
    open = await build({ rate_limit: { redis_url: redis.url, on_store_error: 'fail_open' }, evidence: replicaEvidence() })
    await redis.stop()
  })
  afterAll(async () => {
    await closed.app.close()
    await open.app.close()
  })

  it('refuses with 503 and Retry-After by default, and audits why', async () => {
    const response = await closed.app.inject('/cpx')
    expectError(response, 503, 'CPXD_ERR_UNAVAILABLE', 'rate limits cannot be checked; retry later')
    expect(response.headers['retry-after']).toBe('5')
    expect(closed.auditLines().at(-1)).toMatchObject({ status: 503, reason: 'rate_limit_store_unavailable' })
    // Probes are never limited, so they still answer.
    expect((await closed.app.inject('/healthz')).statusCode).toBe(200)
  })

  it('serves with fail_open', async () => {
    expect((await open.app.inject('/cpx')).statusCode).toBe(200)
  })
})
