// npm run bench:overload: is cpxd still responsive when more arrives than it can serve?
// For cpxd with production overload limits and with tight ones (shedding from 20 ms of event-loop
// lag), a load generator (worker threads) keeps BENCH_OVERLOAD_CONNECTIONS connections busy with
// the most expensive answer there is (an auditor's, with 50 presigned S3 links) while this thread
// probes /healthz every 20 ms as an orchestrator would. Prints what was answered, what was shed
// (503), and the probes' latency.
import { Agent, request } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { BENCH_AUDITOR_KEY, EVIDENCE_ITEMS } from './constants.ts'
import { prepareBenchFixtures } from './fixtures.ts'
import { startBenchServer } from './start-bench-server.ts'

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_OVERLOAD_CONNECTIONS ?? 500)
const PROBE_EVERY_MS = 20
const fixtures = await prepareBenchFixtures()

function probe (agent: Agent, port: number): Promise<number> {
  const started = process.hrtime.bigint()
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
      res.resume().on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`/healthz answered ${res.statusCode}`))
        else resolve(Number(process.hrtime.bigint() - started) / 1e6)
      })
    }).on('error', reject).end()
  })
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN
}

async function overload (mode: 'evidence-direct' | 'evidence-direct-shedding') {
  const { child, port } = await startBenchServer(mode)
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const load = autocannon({ url: `http://127.0.0.1:${port}/cpx/bench`, connections: CONNECTIONS, duration: DURATION, workers: 2, headers: { 'x-api-key': BENCH_AUDITOR_KEY } })
    const latencies: number[] = []
    const state = { probing: true }
    void load.then(() => { state.probing = false })
    while (state.probing) {
      latencies.push(await probe(agent, port))
      await sleep(PROBE_EVERY_MS)
    }
    const result = await load
    agent.destroy()
    latencies.sort((a, b) => a - b)
    const shed = result.statusCodeStats?.['503']?.count ?? 0
    const answered = result.statusCodeStats?.['200']?.count ?? 0
    return { mode, answered: answered / DURATION, shed: shed / DURATION, errors: result.errors, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? Number.NaN, probes: latencies.length }
  } finally {
    child.kill('SIGTERM')
  }
}

const rows = [await overload('evidence-direct'), await overload('evidence-direct-shedding')]
await fixtures.close()
console.log(`\n${DURATION}s, ${CONNECTIONS} connections on an auditor's answer with ${EVIDENCE_ITEMS} S3 links, /healthz every ${PROBE_EVERY_MS} ms, Node ${process.version}\n`)
console.log('| server | 200/s | 503/s (shed) | errors | /healthz p50 ms | p99 ms | max ms | probes |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const r of rows) {
  console.log(`| ${r.mode === 'evidence-direct' ? 'cpxd, default limits (1 s lag)' : 'cpxd, shedding from 20 ms lag'} | ${Math.round(r.answered)} | ${Math.round(r.shed)} | ${r.errors} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.probes} |`)
}
