// npm run bench:pair -- OTHER_TREE [public|api-key|jwt]: the server CPU per request of this
// checkout's cpxd over another checkout's (`git worktree add /tmp/before <commit>`, with
// node_modules linked), both under load at the same time. Give `.` as OTHER_TREE for an A/A run,
// which shows how far the instrument itself moves.
//
// `npm run bench` measures one server after another, so a host that slows down between two cases
// moves their ratio; on this project's shared 2-core machine bare Fastify's CPU per request moved
// by half within one run. Here both servers run at once, pinned to the same core, with the load
// generator on the others, so whatever slows one slows the other: ratios of a few percent become
// readable. Which server starts first alternates by round. The absolute figures are higher than
// `npm run bench`'s (two servers take turns on one core), so only the ratio is reported.
import { spawnSync } from 'node:child_process'
import { cpus as cpuList } from 'node:os'
import { resolve as resolvePath } from 'node:path'
import autocannon from 'autocannon'
import { BENCH_API_KEY } from './constants.ts'
import { cpuSeconds } from './cpu-time.ts'
import { median } from './median.ts'
import { prepareBenchFixtures } from './fixtures.ts'
import { startBenchServer, type BenchServer } from './start-bench-server.ts'

const [otherTree, caseName = 'public'] = process.argv.slice(2)
if (otherTree === undefined) throw new Error('usage: npm run bench:pair -- OTHER_TREE [public|api-key|jwt]')

// The servers share the last CPU; the load generator (this process) gets the others.
const cpuCount = cpuList().length
const serverCpu = cpuCount > 1 ? String(cpuCount - 1) : undefined
if (serverCpu !== undefined && process.env.BENCH_PAIR_PINNED === undefined) {
  const run = spawnSync('taskset', ['-c', `0-${cpuCount - 2}`, process.execPath, ...process.execArgv, import.meta.filename, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, BENCH_PAIR_PINNED: '1' } })
  if (run.error !== undefined) throw new Error(`bench:pair pins its processes with taskset (util-linux), which could not run: ${run.error.message}`)
  process.exit(run.status ?? 1)
}
if (serverCpu === undefined) console.warn('one CPU only: the servers are not pinned, and the load generator competes with them')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8)
const DURATION = Number(process.env.BENCH_DURATION ?? 6)
const WARM_UP_SECONDS = 4
const CONNECTIONS_EACH = 25

const fixtures = await prepareBenchFixtures()
const CASES: Record<string, { path: string, headers?: Record<string, string> }> = {
  public: { path: '/cpx' },
  'api-key': { path: '/cpx/acme', headers: { 'x-api-key': BENCH_API_KEY } },
  jwt: { path: '/cpx/acme', headers: { authorization: `Bearer ${fixtures.jwt}` } }
}
const measured = CASES[caseName]
if (measured === undefined) throw new Error(`no case ${caseName}; one of ${Object.keys(CASES).join(', ')}`)

const trees = [resolvePath(otherTree), resolvePath(import.meta.dirname, '..')] as const

// Stopped midway (Ctrl-C), the servers of the round go too: left running, they would load the next run.
const running = new Set<BenchServer['child']>()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGTERM')
    process.exit(1)
  })
}

const ratios: number[] = []
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [0, 1] : [1, 0]
  const started: BenchServer[] = []
  for (const which of order) {
    const server = await startBenchServer('cpxd', `pair-${which}`, { tree: trees[which], cpus: serverCpu })
    running.add(server.child)
    started[which] = server
  }
  const servers = started as [BenchServer, BenchServer]
  const load = (seconds: number) => Promise.all(servers.map((server) => autocannon({ url: `http://127.0.0.1:${server.port}${measured.path}`, connections: CONNECTIONS_EACH, duration: seconds, headers: measured.headers })))
  try {
    await load(WARM_UP_SECONDS)
    const before = servers.map((server) => cpuSeconds(server.child.pid))
    const results = await load(DURATION)
    const perRequest = servers.map((server, i) => {
      const result = results[i] as autocannon.Result
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${trees[i]}: ${result.non2xx} non-2xx, ${result.errors} errors`)
      return 1e6 * (cpuSeconds(server.child.pid) - (before[i] as number)) / result.requests.total
    }) as [number, number]
    ratios.push(perRequest[1] / perRequest[0])
    console.log(`round ${round + 1}: ${perRequest[0].toFixed(1)} -> ${perRequest[1].toFixed(1)} µs a request, ratio ${(perRequest[1] / perRequest[0]).toFixed(3)}`)
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => {
      server.child.once('exit', resolve)
      server.child.kill('SIGTERM')
    })))
    for (const server of servers) running.delete(server.child)
  }
}
await fixtures.close()

console.log(`\n${caseName}: this tree's CPU per request over ${otherTree}'s, median of ${ROUNDS} rounds: ${median(ratios).toFixed(3)} (rounds ${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)}; below 1 is cheaper)`)
