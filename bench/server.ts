// One benchmark target per process, so the load generator never shares its event loop.
// usage: node bench/server.ts bare|cpxd  -> prints `READY <port>` once listening.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { buildApp } from '../src/app.ts'
import { hashApiKey } from '../src/auth/api-keys.ts'
import { configSchema } from '../src/config/schema.ts'
import { loadPostureDir } from '../src/posture/loader.ts'
import { PostureStore } from '../src/posture/store.ts'

import { BENCH_API_KEY, BENCH_ISSUER } from './constants.ts'
const POSTURE_DIR = join(import.meta.dirname, '..', 'config', 'posture')

async function bare () {
  // The baseline: Fastify alone, answering with the very bytes cpxd serves at /cpx.
  const body = loadPostureDir(POSTURE_DIR).get('_default')!.render({ tier: 'public', format: 'json', profile: 'full', framework: undefined }).body
  const app = Fastify({ logger: false })
  app.get('/cpx', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body))
  return app
}

async function cpxd () {
  const config = configSchema.parse({
    auth: {
      api_keys: [{ id: 'bench', hash: hashApiKey(BENCH_API_KEY), tier: 'customer', tenants: ['acme'] }],
      jwt: { issuer: BENCH_ISSUER, audience: 'cpxd', jwks_file: process.env.BENCH_JWKS_FILE, algorithms: ['ES256'] }
    },
    cors: { origins: ['https://trust.northwind.example'] },
    // Every plugin stays on; the budget is only large enough that the run measures serving, not 429s.
    rate_limit: { max: 1_000_000, window: '1h' },
    audit: { file: join(mkdtempSync(join(tmpdir(), 'cpxd-bench-')), 'audit.log') },
    log: { level: 'error' }
  })
  const store = new PostureStore()
  store.replace(loadPostureDir(POSTURE_DIR))
  return buildApp(config, { store })
}

const mode = process.argv[2]
const app = mode === 'bare' ? await bare() : await cpxd()
await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`READY ${(app.server.address() as { port: number }).port}\n`)
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
