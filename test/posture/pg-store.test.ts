import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import pg from 'pg'
import { openPgStore } from '../../src/posture/pg-store.ts'
import { IdempotencyConflict, type VersionStore } from '../../src/posture/version-store.ts'
import { postgresAvailable, startPostgres, type RunningPostgres } from '../helpers/postgres.ts'

const DOCUMENT = 'version: v1\norganization: { name: Example }\nframeworks:\n  - { name: SOC2, status: compliant, score: 1.0 }\n'

describe.runIf(postgresAvailable())('the PostgreSQL posture store, on a real PostgreSQL', () => {
  let server: RunningPostgres
  let a: VersionStore
  let b: VersionStore

  beforeAll(async () => {
    server = await startPostgres()
    // Two replicas starting together: the advisory lock lets one migrate, the other waits.
    const [first, second] = await Promise.all([openPgStore(server.url, 365 * 86_400_000), openPgStore(server.url, 365 * 86_400_000)])
    a = first
    b = second
  }, 60_000)
  afterAll(async () => {
    await a.close()
    await b.close()
    await server.stop()
  })

  it('migrates once, stores a version as an immutable row, and tells the other replica', async () => {
    const client = new pg.Client({ connectionString: server.url })
    await client.connect()
    onTestFinished(async () => { await client.end() })
    expect((await client.query('SELECT version FROM cpxd_schema_migrations ORDER BY version')).rows).toEqual([{ version: 1 }, { version: 2 }])
    const heard = new Promise<void>((resolve) => { b.onChange(resolve) })
    // The listener connects in the background; a publish right away may come before it listens.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const { record } = await a.publish({ tenant: 'acme', body: Buffer.from(DOCUMENT), publisher: 'api_key:ci', compliance: 'compliant' })
    await heard
    expect((await b.currentDocuments()).get('acme')?.organization?.name).toBe('Example')
    expect((await b.history.versions('acme')).map((v) => v.id)).toEqual([record.id])
    expect((await b.history.read('acme', record.id))?.record.sha256).toBe(record.sha256)
    await expect(client.query("UPDATE cpxd_posture_versions SET publisher = 'someone else'")).rejects.toThrow('posture versions are immutable')
  })

  it('stores one version for a retried publish, on either replica, and refuses the key for another body', async () => {
    const request = { tenant: 'globex', body: Buffer.from(DOCUMENT), publisher: 'api_key:ci', compliance: 'compliant' as const, idempotencyKey: 'release-7' }
    const [first, second] = await Promise.all([a.publish(request), b.publish(request)])
    expect(second.record.id).toBe(first.record.id)
    expect([first.replayed, second.replayed].sort()).toEqual([false, true])
    expect(await b.history.versions('globex')).toHaveLength(1)
    await expect(a.publish({ ...request, body: Buffer.from(`${DOCUMENT}# edited\n`) })).rejects.toThrow(IdempotencyConflict)
  })
})
