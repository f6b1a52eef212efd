// npm run bench: bare Fastify vs cpxd, in one run, each server in its own process.
// Prints requests/s, p99 latency and the ratio to bare Fastify serving the same bytes.
import autocannon from 'autocannon'
import { BENCH_API_KEY, BENCH_AUDITOR_KEY, EVIDENCE_ITEMS } from './constants.ts'
import { prepareBenchFixtures } from './fixtures.ts'
import { publishToReplicas, startReplicaBackends } from './replicas.ts'
import { startBenchServer as start } from './start-bench-server.ts'

const fixtures = await prepareBenchFixtures()
const BENCH_JWT = fixtures.jwt

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

interface Case { name: string, server: 'bare' | 'cpxd' | 'cpxd-no-audit' | 'cpxd-no-audit-deferred' | 'naive-evidence' | 'evidence-direct' | 'evidence-direct-unsigned' | 'evidence-gateway' | 'replicas', path: string, headers?: Record<string, string> }

const CASES: Case[] = [
  { name: 'bare Fastify, same bytes', server: 'bare', path: '/cpx' },
  { name: 'cpxd GET /cpx (public)', server: 'cpxd', path: '/cpx' },
  { name: 'cpxd GET /cpx (public), audit log off', server: 'cpxd-no-audit', path: '/cpx' },
  { name: 'cpxd GET /cpx (public), audit log off, answers a turn later', server: 'cpxd-no-audit-deferred', path: '/cpx' },
  { name: 'cpxd GET /cpx/acme (API key)', server: 'cpxd', path: '/cpx/acme', headers: { 'x-api-key': BENCH_API_KEY } },
  // Two processes, load split between them, every request counted in Redis; posture from PostgreSQL.
  { name: 'cpxd GET /cpx/acme (API key), 2 replicas, Redis + PostgreSQL', server: 'replicas', path: '/cpx/acme', headers: { 'x-api-key': BENCH_API_KEY } },
  { name: 'cpxd GET /cpx/acme (JWT, ES256)', server: 'cpxd', path: '/cpx/acme', headers: { authorization: `Bearer ${BENCH_JWT}` } },
  { name: `naive: ${EVIDENCE_ITEMS} x getSignedUrl per request`, server: 'naive-evidence', path: '/cpx/bench' },
  { name: `cpxd auditor, ${EVIDENCE_ITEMS} S3 items, direct`, server: 'evidence-direct', path: '/cpx/bench', headers: { 'x-api-key': BENCH_AUDITOR_KEY } },
  // Signed per request (its links are made for it): the same answer unsigned shows what that costs.
  { name: `cpxd auditor, ${EVIDENCE_ITEMS} S3 items, direct, unsigned`, server: 'evidence-direct-unsigned', path: '/cpx/bench', headers: { 'x-api-key': BENCH_AUDITOR_KEY } },
  { name: `cpxd auditor, ${EVIDENCE_ITEMS} S3 items, direct, as a JWS`, server: 'evidence-direct', path: '/cpx/bench?format=jws', headers: { 'x-api-key': BENCH_AUDITOR_KEY } },
  { name: `cpxd auditor, ${EVIDENCE_ITEMS} S3 items, gateway`, server: 'evidence-gateway', path: '/cpx/bench', headers: { 'x-api-key': BENCH_AUDITOR_KEY } }
]

async function measure (port: number, c: Case) {
  return measureOn([port], c)
}

/** Load split evenly over the ports, in one run; figures are the sum (req/s) and the worst (p99). */
async function measureOn (ports: readonly number[], c: Case) {
  const runAll = async (duration: number) => {
    const results = await Promise.all(ports.map((port) => autocannon({ url: `http://127.0.0.1:${port}${c.path}`, connections: Math.ceil(CONNECTIONS / ports.length), duration, headers: c.headers })))
    return {
      requests: { average: results.reduce((sum, r) => sum + r.requests.average, 0) },
      latency: { p99: Math.max(...results.map((r) => r.latency.p99)) },
      non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      timeouts: results.reduce((sum, r) => sum + r.timeouts, 0)
    }
  }
  await runAll(2) // warm-up: JIT, connection pools
  const result = await runAll(DURATION)
  // A wrong answer invalidates the run; a timeout is a slow server's result, reported as such.
  if (result.non2xx > 0 || result.errors > result.timeouts) throw new Error(`${c.name}: ${result.non2xx} non-2xx, ${result.errors - result.timeouts} errors`)
  return { rps: result.requests.average, p99: result.latency.p99, timeouts: result.timeouts }
}

// BENCH_SERVERS=bare,cpxd,cpxd-no-audit runs only those servers' cases (quicker, for one question).
const only = process.env.BENCH_SERVERS?.split(',')
const rows: Array<{ name: string, rps: number, p99: number, timeouts: number }> = []
for (const c of CASES.filter((k) => only === undefined || only.includes(k.server))) {
  if (c.server === 'replicas') {
    rows.push({ name: c.name, ...(await measureReplicas(c)) })
    continue
  }
  const { child, port } = await start(c.server, c.name)
  try {
    rows.push({ name: c.name, ...(await measure(port, c)) })
  } finally {
    child.kill('SIGTERM')
  }
}

await fixtures.close()

/** Two replica servers on a Redis and a PostgreSQL of their own, with acme's posture published to them. */
async function measureReplicas (c: Case) {
  const backends = await startReplicaBackends()
  const replicas = [await start('replica'), await start('replica')]
  try {
    await publishToReplicas(replicas.map((r) => r.port))
    return await measureOn(replicas.map((r) => r.port), c)
  } finally {
    for (const replica of replicas) replica.child.kill('SIGTERM')
    await backends.stop()
  }
}

const rpsOf = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))?.rps ?? Number.NaN
const baseline = rpsOf('bare')
const publicCpx = rpsOf('cpxd GET /cpx (public)')
const naive = rpsOf('naive')
console.log(`\n${DURATION}s per case, ${CONNECTIONS} connections, Node ${process.version}\n`)
console.log('| case | req/s | p99 ms | timeouts | vs bare | vs naive presign | vs public /cpx |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const row of rows) {
  console.log(`| ${row.name} | ${Math.round(row.rps)} | ${row.p99} | ${row.timeouts} | ${(row.rps / baseline).toFixed(2)} | ${(row.rps / naive).toFixed(2)} | ${(row.rps / publicCpx).toFixed(2)} |`)
}
