// One benchmark target per process, so the load generator never shares its event loop.
// usage: node bench/server.ts bare|cpxd  -> prints `READY <port>` once listening.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import Fastify from 'fastify'
import { discardingAuditLog, openAuditLog, type AuditLog } from '../src/audit/audit-logger.ts'
import { buildApp } from '../src/app.ts'
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts'
import { configSchema } from '../src/config/schema.ts'
import { readSecrets } from '../src/config/secrets.ts'
import { compactHeap } from '../src/heap-compaction.ts'
import { loadPostureDir } from '../src/posture/loader.ts'
import { BENCH_API_KEY, BENCH_AUDITOR_KEY, BENCH_BUCKET, BENCH_ISSUER, BENCH_PUBLISHER_KEY, EVIDENCE_ITEMS } from './constants.ts'
const POSTURE_DIR = join(import.meta.dirname, '..', 'config', 'posture')

async function bare () {
  // The baseline: Fastify alone, answering with the very bytes cpxd serves at /cpx.
  const body = loadPostureDir(POSTURE_DIR).get('_default')!.render({ tier: 'public', format: 'json', profile: 'standard', framework: undefined }).body
  const app = Fastify({ logger: false })
  app.get('/cpx', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body))
  return app
}

/**
 * The naive way to serve an auditor's document with S3 evidence: build it per request and call
 * the SDK's getSignedUrl for every item. The baseline for cpxd's direct mode.
 */
async function naiveEvidence () {
  const client = new S3Client({ region: 'us-east-1', endpoint: process.env.BENCH_S3_ENDPOINT, forcePathStyle: true })
  const app = Fastify({ logger: false })
  app.get('/cpx/bench', async () => {
    const refs = await Promise.all(Array.from({ length: EVIDENCE_ITEMS }, async (_, i) => ({
      id: `item-${i}`,
      url: await getSignedUrl(client, new GetObjectCommand({ Bucket: BENCH_BUCKET, Key: `evidence/item-${i}.txt` }), { expiresIn: 3600 })
    })))
    return { version: 'v1', frameworks: [{ name: 'SOC2', status: 'compliant', score: 1, controls: refs.map((ref, i) => ({ id: `C${i}`, status: 'compliant', evidence_refs: [ref] })) }] }
  })
  return app
}

/**
 * No audit log. `deferred` still holds each answer until the next turn of the event loop, as
 * group commit does: that alone makes answers faster (they leave in batches), so comparing with
 * it shows what the audit log itself costs.
 */
function silentAuditLog (deferred: boolean): AuditLog {
  const discarding = discardingAuditLog()
  return deferred ? { ...discarding, written: () => new Promise<void>((resolve) => setImmediate(resolve)) } : discarding
}

interface CpxdMode {
  /** One of a group: counters in Redis, posture in PostgreSQL (BENCH_REDIS_URL, BENCH_POSTGRES_URL). */
  readonly replica: boolean
  readonly delivery?: 'direct' | 'gateway'
  readonly audit: 'on' | 'off' | 'off-deferred'
  readonly shedding: boolean
  readonly signing: boolean
}

/** What each cpxd bench target changes from the defaults: every plugin on, answers signed. */
function cpxdMode (mode: string): CpxdMode {
  return {
    replica: mode === 'replica',
    delivery: mode.startsWith('evidence-direct') ? 'direct' : mode === 'evidence-gateway' ? 'gateway' : undefined,
    audit: mode === 'cpxd-no-audit' ? 'off' : mode === 'cpxd-no-audit-deferred' ? 'off-deferred' : 'on',
    shedding: mode.endsWith('-shedding'),
    signing: !mode.endsWith('-unsigned')
  }
}

async function cpxd ({ replica, delivery, audit, shedding, signing }: CpxdMode) {
  const scratch = mkdtempSync(join(tmpdir(), 'cpxd-bench-'))
  const replicated = replica
    ? {
        posture: { store: { kind: 'postgres', url_env: 'BENCH_POSTGRES_URL' } },
        evidence: { local_root: join(POSTURE_DIR, '..', 'evidence'), cache_dir: join(scratch, 'cache'), gateway_key_file: process.env.BENCH_GATEWAY_KEY_FILE }
      }
    : {}
  const config = configSchema.parse({
    ...(delivery === undefined
      ? { posture_dir: POSTURE_DIR, evidence: { local_root: join(POSTURE_DIR, '..', 'evidence'), cache_dir: mkdtempSync(join(tmpdir(), 'cpxd-bench-cache-')) } }
      : {
          posture_dir: process.env.BENCH_POSTURE_DIR,
          evidence: { cache_dir: process.env.BENCH_CACHE_DIR, s3: { bucket: BENCH_BUCKET, endpoint: process.env.BENCH_S3_ENDPOINT, force_path_style: true, delivery } }
        }),
    auth: {
      api_keys: [
        { id: 'bench', hash: hashApiKey(BENCH_API_KEY), tier: 'customer', tenants: ['acme'] },
        { id: 'auditor', hash: hashApiKey(BENCH_AUDITOR_KEY), tier: 'auditor', tenants: ['*'] },
        { id: 'publisher', hash: hashApiKey(BENCH_PUBLISHER_KEY), tier: 'publisher', tenants: ['*'] },
        ...otherCustomersKeys()
      ],
      jwt: { issuer: BENCH_ISSUER, audience: 'cpxd', jwks_file: process.env.BENCH_JWKS_FILE, algorithms: ['ES256'] }
    },
    cors: { origins: ['https://trust.northwind.example'] },
    // Every plugin stays on; the budget is only large enough that the run measures serving, not 429s.
    rate_limit: { max: 1_000_000, window: '1h', max_in_flight: 10_000, ...(replica ? { redis_url: process.env.BENCH_REDIS_URL } : {}) },
    ...replicated,
    // bench/overload.ts: shed load once the event loop lags 20 ms (the default, 1 s, is for production).
    ...(shedding ? { overload: { max_event_loop_delay: '20ms', sample_interval: '100ms', retry_after: '1s' } } : {}),
    audit: { file: join(scratch, 'audit.log') },
    signing: { enabled: signing, key_file: join(scratch, 'signing-key.jwk') },
    log: { level: 'error' }
  })
  const secrets = readSecrets(config, process.env, 'bench')
  const auditLog = audit === 'on' ? (await openAuditLog(config.audit, secrets.auditKey, 'bench')).log : silentAuditLog(audit === 'off-deferred')
  const app = await buildApp(config, { auditLog, secrets, configFile: 'bench' })
  // As start-server.ts does: the load's garbage goes back before the first answer.
  await app.loadPosture(() => { compactHeap() })
  return app
}

/**
 * BENCH_API_KEYS=N puts N more customers' keys in the config, as a vendor with N customers has, to
 * see what the number of keys costs an API-key answer.
 */
function otherCustomersKeys (): Array<{ id: string, hash: string, tier: 'customer', tenants: string[] }> {
  const count = Number(process.env.BENCH_API_KEYS ?? 0)
  return Array.from({ length: count }, (_, i) => ({ id: `customer-${i}`, hash: hashApiKey(generateApiKey()), tier: 'customer', tenants: [`customer-${i}`] }))
}

const mode = process.argv[2]
const app = mode === 'bare'
  ? await bare()
  : mode === 'naive-evidence'
    ? await naiveEvidence()
    : await cpxd(cpxdMode(mode ?? 'cpxd'))
await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`READY ${(app.server.address() as { port: number }).port}\n`)
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
