// npm run bench: bare Fastify vs cpxd, in one run, each server in its own process.
// Prints requests/s, p99 latency and the ratio to bare Fastify serving the same bytes.
import autocannon from 'autocannon'
import { cpuSeconds } from './cpu-time.ts'
import { median } from './median.ts'
import { BENCH_API_KEY, BENCH_AUDITOR_KEY, EVIDENCE_ITEMS } from './constants.ts'
import { prepareBenchFixtures } from './fixtures.ts'
import { publishToReplicas, startReplicaBackends } from './replicas.ts'
import { SERVER_NODE_FLAGS } from './server-flags.ts'
import { startBenchServer as start, type BenchServer } from './start-bench-server.ts'

const fixtures = await prepareBenchFixtures()
const BENCH_JWT = fixtures.jwt

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const WARM_UP_SECONDS = 5

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

async function measure (server: BenchServer, c: Case) {
  return measureOn([server], c)
}

/** Load split evenly over the servers, in one run; figures are the sum (req/s) and the worst (p99). */
async function measureOn (servers: readonly BenchServer[], c: Case) {
  const ports = servers.map((server) => server.port)
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
  // Warm-up: the JIT, connection pools, and the young generation, which a fresh server starts
  // small (start-server.ts compacts the heap after loading) and which takes a few seconds of
  // load to grow back to its limit.
  await runAll(WARM_UP_SECONDS)
  const cpuBefore = servers.reduce((sum, server) => sum + cpuSeconds(server.child.pid), 0)
  const clientBefore = process.cpuUsage()
  const result = await runAll(DURATION)
  const cpu = servers.reduce((sum, server) => sum + cpuSeconds(server.child.pid), 0) - cpuBefore
  const client = process.cpuUsage(clientBefore)
  // A wrong answer invalidates the run; a timeout is a slow server's result, reported as such.
  if (result.non2xx > 0 || result.errors > result.timeouts) throw new Error(`${c.name}: ${result.non2xx} non-2xx, ${result.errors - result.timeouts} errors`)
  return { rps: result.requests.average, p99: result.latency.p99, timeouts: result.timeouts, cpuMicros: 1e6 * cpu / (result.requests.average * DURATION), clientMicros: (client.user + client.system) / (result.requests.average * DURATION) }
}

type Measured = Awaited<ReturnType<typeof measureOn>>

async function measureCase (c: Case): Promise<Measured> {
  if (c.server === 'replicas') return measureReplicas(c)
  const server = await start(c.server, c.name)
  try {
    return await measure(server, c)
  } finally {
    server.child.kill('SIGTERM')
  }
}

// BENCH_SERVERS=bare,cpxd,cpxd-no-audit runs only those servers' cases (quicker, for one question).
// BENCH_ROUNDS=N runs every case N times, the cases taking turns, and reports medians: on a shared
// machine one case can land on a slow minute, and turns spread that over all of them. A ratio is
// the median of each round's ratio, a case against its baseline from the same round (minutes apart
// at most), so a slow stretch that both share cancels out.
const only = process.env.BENCH_SERVERS?.split(',')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1)
const selected = CASES.filter((k) => only === undefined || only.includes(k.server))
const runs = new Map<Case, Measured[]>(selected.map((c) => [c, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const c of selected) runs.get(c)?.push(await measureCase(c))
}
const rows = selected.map((c) => {
  const measured = runs.get(c) ?? []
  return {
    name: c.name,
    measured,
    rps: median(measured.map((m) => m.rps)),
    p99: median(measured.map((m) => m.p99)),
    timeouts: measured.reduce((sum, m) => sum + m.timeouts, 0),
    cpuMicros: median(measured.map((m) => m.cpuMicros)),
    clientMicros: median(measured.map((m) => m.clientMicros))
  }
})

await fixtures.close()

/** Two replica servers on a Redis and a PostgreSQL of their own, with acme's posture published to them. */
async function measureReplicas (c: Case) {
  const backends = await startReplicaBackends()
  const replicas = [await start('replica'), await start('replica')]
  try {
    await publishToReplicas(replicas.map((r) => r.port))
    return await measureOn(replicas, c)
  } finally {
    for (const replica of replicas) replica.child.kill('SIGTERM')
    await backends.stop()
  }
}

const rowOf = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))
const baseline = rowOf('bare')
const publicCpx = rowOf('cpxd GET /cpx (public)')
const naive = rowOf('naive')
console.log(`\n${DURATION}s per case, ${CONNECTIONS} connections, ${ROUNDS === 1 ? 'one round' : `medians of ${ROUNDS} rounds`}, Node ${process.version}, server flags: ${SERVER_NODE_FLAGS.join(' ') || 'none'}`)
console.log('req/s ratios compare throughput; "CPU" is the server\'s CPU time per request, and its ratio is the baseline\'s CPU per request over this one\'s (higher is cheaper); "client" is the load generator\'s CPU per request, which shares the machine; with several rounds, a ratio is the median of the rounds\' own ratios\n')
console.log('| case | req/s | p99 ms | timeouts | CPU µs/req | client µs/req | vs bare | CPU vs bare | vs naive presign | CPU vs naive | vs public /cpx | CPU vs public |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
type Row = (typeof rows)[number]
/** Throughput against `base`, and CPU per request as base's over this one's (higher is cheaper). */
const rpsRatio = (row: Row, base: Row | undefined) => roundRatio(row, base, (r, b) => r.rps / b.rps)
const cpuRatio = (row: Row, base: Row | undefined) => roundRatio(row, base, (r, b) => b.cpuMicros / r.cpuMicros)
for (const row of rows) {
  console.log(`| ${row.name} | ${Math.round(row.rps)} | ${row.p99} | ${row.timeouts} | ${row.cpuMicros.toFixed(1)} | ${row.clientMicros.toFixed(1)} | ${rpsRatio(row, baseline)} | ${cpuRatio(row, baseline)} | ${rpsRatio(row, naive)} | ${cpuRatio(row, naive)} | ${rpsRatio(row, publicCpx)} | ${cpuRatio(row, publicCpx)} |`)
}
if (baseline !== undefined && ROUNDS > 1) {
  const cpu = baseline.measured.map((m) => m.cpuMicros)
  console.log(`\nThe baseline's CPU per request across rounds: ${Math.min(...cpu).toFixed(1)}-${Math.max(...cpu).toFixed(1)} µs (how much the machine moved during the run).`)
}

/** The median over rounds of `of(this round's row, this round's base)`. */
function roundRatio (row: Row, base: Row | undefined, of: (row: Measured, base: Measured) => number): string {
  if (base === undefined) return 'NaN'
  return median(row.measured.map((measured, round) => of(measured, base.measured[round] as Measured))).toFixed(2)
}
