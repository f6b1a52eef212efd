// The backends of the two-replica bench case: one Redis, one PostgreSQL, one shared link key.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPostgres } from '../test/helpers/postgres.ts'
import { startRedis } from '../test/helpers/redis.ts'
import { BENCH_PUBLISHER_KEY } from './constants.ts'

/** Starts them and tells the replica servers (through the environment they inherit) where they are. */
export async function startReplicaBackends (): Promise<{ stop: () => Promise<void> }> {
  const [redis, postgres] = await Promise.all([startRedis(), startPostgres()])
  const dir = mkdtempSync(join(tmpdir(), 'cpxd-bench-replicas-'))
  writeFileSync(join(dir, 'gateway.key'), randomBytes(32).toString('hex'))
  process.env.BENCH_REDIS_URL = redis.url
  process.env.BENCH_POSTGRES_URL = postgres.url
  process.env.BENCH_GATEWAY_KEY_FILE = join(dir, 'gateway.key')
  return { stop: async () => { await Promise.all([redis.stop(), postgres.stop()]) } }
}

/** Publishes the example's acme posture to the first replica and waits until every one serves it. */
export async function publishToReplicas (ports: readonly number[]): Promise<void> {
  const body = readFileSync(join(import.meta.dirname, '..', 'config', 'posture', 'acme.yaml'))
  const published = await fetch(`http://127.0.0.1:${ports[0]}/cpx/acme`, { method: 'POST', headers: { 'x-api-key': BENCH_PUBLISHER_KEY, 'content-type': 'application/yaml' }, body })
  if (published.status !== 202) throw new Error(`publishing to the first replica answered ${published.status}`)
  for (const port of ports) {
    for (;;) {
      const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json() as { posture_version?: number }
      if ((ready.posture_version ?? 0) > 1) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
