import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { copyExample } from '../helpers/build.ts'
import { postgresAvailable, startPostgres, type RunningPostgres } from '../helpers/postgres.ts'
import { startServer, type RunningServer } from '../helpers/process.ts'
import { redisAvailable, startRedis, type RunningRedis } from '../helpers/redis.ts'
import { scratchDir } from '../helpers/tmp.ts'

const PUBLISHER = generateApiKey()
const CUSTOMER = generateApiKey()
const AUDITOR = generateApiKey()
const LIMITED = generateApiKey()

/** Polls until `check` passes; the deadline only stops a broken run, it is not what is tested. */
async function eventually<T> (read: () => Promise<T>, check: (value: T) => boolean): Promise<{ value: T, ms: number }> {
  const started = Date.now()
  for (;;) {
    const value = await read()
    if (check(value)) return { value, ms: Date.now() - started }
    if (Date.now() - started > 15_000) throw new Error(`never happened; last value: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe.runIf(redisAvailable() && postgresAvailable())('two replicas, one Redis and one PostgreSQL, act as one service', () => {
  let redis: RunningRedis
  let postgres: RunningPostgres
  let dir: string
  let a: RunningServer
  let b: RunningServer

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([startRedis(), startPostgres()])
    dir = scratchDir({ 'gateway.key': randomBytes(32).toString('hex') })
    copyExample(dir)
    // Each replica its own audit file and hash cache: two processes never share a file one owns.
    for (const name of ['a', 'b']) {
      writeFileSync(join(dir, `cpxd-${name}.yaml`), [
        'server: { host: 127.0.0.1, port: 0 }',
        `audit: { file: audit-${name}.log, key_file: audit.key }`,
        'posture_dir: posture',
        `evidence: { local_root: evidence, cache_dir: cache-${name}, gateway_key_file: gateway.key }`,
        'posture: { store: { kind: postgres, url_env: CPXD_TEST_POSTGRES } }',
        `rate_limit: { redis_url: "${redis.url}", max: 5 }`,
        'signing: { key_file: signing.jwk }',
        'auth:',
        '  api_keys:',
        `    - { id: pipeline, hash: "${hashApiKey(PUBLISHER)}", tier: publisher, tenants: ["*"] }`,
        `    - { id: acme, hash: "${hashApiKey(CUSTOMER)}", tier: customer, tenants: [acme] }`,
        `    - { id: auditor, hash: "${hashApiKey(AUDITOR)}", tier: auditor, tenants: ["*"] }`,
        `    - { id: limited, hash: "${hashApiKey(LIMITED)}", tier: customer, tenants: [acme] }`,
        ''
      ].join('\n'))
    }
    const env = { CPXD_TEST_POSTGRES: postgres.url }
    a = await startServer(join(dir, 'cpxd-a.yaml'), env)
    b = await startServer(join(dir, 'cpxd-b.yaml'), env)
  }, 60_000)
  afterAll(async () => {
    a?.child.kill('SIGKILL')
    b?.child.kill('SIGKILL')
    await Promise.all([redis?.stop(), postgres?.stop()])
  })

  it('serves on B what was published to A', async () => {
    expect((await fetch(`${b.baseUrl}/cpx/acme`, { headers: { 'x-api-key': CUSTOMER } })).status).toBe(404)
    const published = await fetch(`${a.baseUrl}/cpx/acme`, {
      method: 'POST',
      headers: { 'x-api-key': PUBLISHER, 'content-type': 'application/yaml' },
      body: readFileSync(join(dir, 'posture', 'acme.yaml'))
    })
    expect(published.status).toBe(202)
    const { id } = await published.json() as { id: string }
    // /readyz is never rate limited, so watching it spends nobody's budget.
    const readyz = async () => (await (await fetch(`${b.baseUrl}/readyz`)).json() as { posture_version: number }).posture_version
    const seen = await eventually(readyz, (version) => version > 1)
    console.info(`a version published to A was served by B after ${seen.ms} ms`)
    const read = await fetch(`${b.baseUrl}/cpx/acme`, { headers: { 'x-api-key': CUSTOMER } })
    expect(read.status).toBe(200)
    expect((await read.json() as { organization: { name: string } }).organization.name).toBe('Northwind Cloud')
    const versions = await (await fetch(`${b.baseUrl}/cpx/acme/versions`, { headers: { 'x-api-key': AUDITOR } })).json() as { versions: Array<{ id: string, publisher: string }> }
    expect(versions.versions).toEqual([expect.objectContaining({ id, publisher: 'api_key:pipeline' })])
  })

  it('follows on B an evidence link that A minted', async () => {
    const answer = await (await fetch(`${a.baseUrl}/cpx/acme`, { headers: { 'x-api-key': AUDITOR } })).json() as { evidence_refs: Array<{ url: string }> }
    const link = new URL(answer.evidence_refs.find((ref) => ref.url.includes('/evidence/acme/'))?.url as string)
    const onB = await fetch(`${b.baseUrl}${link.pathname}${link.search}`)
    expect(onB.status).toBe(200)
    expect(await onB.text()).toBe(readFileSync(join(dir, 'evidence', 'acme', 'tenant-isolation-test.txt'), 'utf8'))
  })

  it('holds one caller to one rate limit across both', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${(i % 2 === 0 ? a : b).baseUrl}/cpx/acme`, { headers: { 'x-api-key': LIMITED } })).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
  })
})
