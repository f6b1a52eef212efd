// npm run bench:scale: what size costs, on the built server (`npm run build` first). Each case
// starts `dist/server.js` on a generated configuration:
// - 5,000 tenants: time from spawn until the posture is served, and resident memory then;
// - 10,000 evidence items: `cpxd evidence index` with an empty hash index, then again with every
//   hash cached, then the server's start on that warm index;
// - a 1.2 MB auditor answer: requests per second and server CPU per answer, in JSON and in YAML.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { hashApiKey } from '../src/auth/api-keys.ts'
import { writeLargeTenant } from '../test/helpers/large-posture.ts'
import { BENCH_AUDITOR_KEY } from './constants.ts'
import { SERVER_NODE_FLAGS } from './server-flags.ts'

const ROOT = join(import.meta.dirname, '..')
const EXAMPLE = join(ROOT, 'config')
const TENANTS = Number(process.env.BENCH_TENANTS ?? 5000)
const ITEMS = Number(process.env.BENCH_EVIDENCE_ITEMS ?? 10_000)
const DURATION = Number(process.env.BENCH_DURATION ?? 10)

/** A configuration folder: cpxd.yaml over `posture/` and `evidence/`, everything else default. */
function project (name: string): { dir: string, config: string, posture: string, evidence: string } {
  const dir = mkdtempSync(join(tmpdir(), `cpxd-scale-${name}-`))
  const posture = join(dir, 'posture')
  const evidence = join(dir, 'evidence')
  mkdirSync(posture)
  mkdirSync(evidence)
  const config = join(dir, 'cpxd.yaml')
  writeFileSync(config, [
    'server: { host: 127.0.0.1, port: 0 }',
    'posture_dir: posture',
    'evidence: { local_root: evidence, cache_dir: .cpxd/hash-cache }',
    `auth: { api_keys: [{ id: bench-auditor, hash: "${hashApiKey(BENCH_AUDITOR_KEY)}", tier: auditor, tenants: ["*"] }] }`,
    'rate_limit: { max: 1000000, window: 1h, max_in_flight: 1000 }',
    'audit: { file: .cpxd/audit.log }',
    'log: { level: info }'
  ].join('\n'))
  return { dir, config, posture, evidence }
}

/** Starts the built server; resolves once it serves the posture, with the time that took and its port. */
async function startServer (config: string): Promise<{ ms: number, port: number, rssMb: () => number, cpuSeconds: () => number, stop: () => void }> {
  const started = performance.now()
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(ROOT, 'dist', 'server.js'), '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk
      const listening = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(log)
      if (log.includes('posture loaded') && listening !== null) resolve(Number(listening[1]))
    })
    child.on('exit', (code) => { reject(new Error(`server exited with ${code}:\n${log.slice(-2000)}`)) })
  })
  const ms = performance.now() - started
  const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8')
  return {
    ms,
    port,
    rssMb: () => Number(/VmRSS:\s+(\d+) kB/.exec(status())?.[1]) / 1024,
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')
      return (Number(fields[11]) + Number(fields[12])) / 100
    },
    stop: () => { child.kill('SIGKILL') }
  }
}

const settle = async () => { await new Promise((resolve) => setTimeout(resolve, 1000)) }
const SETTLED_MS = 14_000

async function manyTenants (): Promise<string> {
  const { config, posture, evidence } = project('tenants')
  cpSync(join(EXAMPLE, 'evidence', 'acme'), join(evidence, 'acme'), { recursive: true })
  const acme = readFileSync(join(EXAMPLE, 'posture', 'acme.yaml'), 'utf8')
  for (let i = 0; i < TENANTS; i++) writeFileSync(join(posture, `tenant-${i}.yaml`), acme)
  const cold = await startServer(config)
  await settle()
  const coldRss = cold.rssMb()
  // V8's memory reducer returns the pages loading freed about 8 s after the heap goes quiet: what a
  // running server holds, as against the moment it became ready.
  await new Promise((resolve) => setTimeout(resolve, SETTLED_MS))
  const settledRss = cold.rssMb()
  cold.stop()
  const warm = await startServer(config)
  await settle()
  const warmRss = warm.rssMb()
  // A tenant's answers are rendered at its first request: what every tenant asked once costs.
  const asked = Array.from({ length: TENANTS }, (_, i) => `tenant-${i}`)
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let tenant = asked.pop(); tenant !== undefined; tenant = asked.pop()) {
      const res = await fetch(`http://127.0.0.1:${warm.port}/cpx/${tenant}`, { headers: { 'x-api-key': BENCH_AUDITOR_KEY } })
      if (res.status !== 200) throw new Error(`${tenant}: ${res.status}`)
      await res.arrayBuffer()
    }
  }))
  await settle()
  const askedRss = warm.rssMb()
  warm.stop()
  return `| ${TENANTS.toLocaleString('en')} tenants (acme.yaml each, 2 evidence items each) | ready in ${(cold.ms / 1000).toFixed(2)} s, ${coldRss.toFixed(0)} MB 1 s later, ${settledRss.toFixed(0)} MB ${SETTLED_MS / 1000 + 1} s later (first start); ${(warm.ms / 1000).toFixed(2)} s, ${warmRss.toFixed(0)} MB (hash index warm); ${askedRss.toFixed(0)} MB once every tenant was asked for once by an auditor |`
}

async function manyItems (): Promise<string> {
  const { config, posture, evidence } = project('evidence')
  mkdirSync(join(evidence, 'items'))
  for (let i = 0; i < ITEMS; i++) writeFileSync(join(evidence, 'items', `item-${i}.txt`), `evidence item ${i}\n`.repeat(64))
  writeFileSync(join(posture, '_default.yaml'), [
    'frameworks: [{ name: SOC2, status: compliant, score: 1, controls: [{ id: CC1.1, status: compliant }] }]',
    'evidence:',
    ...Array.from({ length: ITEMS }, (_, i) => `  - { id: item-${i}, description: "Evidence ${i}", backend: local, location: items/item-${i}.txt, controls: [CC1.1] }`)
  ].join('\n'))
  const index = () => {
    const started = performance.now()
    const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'index.js'), 'evidence', 'index', '--config', config], { encoding: 'utf8' })
    if (run.status !== 0) throw new Error(`evidence index exited with ${run.status}:\n${run.stderr}`)
    return performance.now() - started
  }
  const cold = index()
  const cached = index()
  const server = await startServer(config)
  server.stop()
  return `| ${ITEMS.toLocaleString('en')} evidence items (1 KB each) | \`cpxd evidence index\`: ${(cold / 1000).toFixed(2)} s with an empty index, ${(cached / 1000).toFixed(2)} s with every hash cached; server ready in ${(server.ms / 1000).toFixed(2)} s on the warm index |`
}

async function largeAnswer (): Promise<string[]> {
  const controls = 7000
  const items = 1000
  const { config, posture, evidence } = project('large')
  writeLargeTenant(posture, evidence, { controls, items })
  const server = await startServer(config)
  const rows: string[] = []
  try {
    for (const format of ['json', 'yaml'] as const) {
      const url = `http://127.0.0.1:${server.port}/cpx/acme?format=${format}`
      const size = (await (await fetch(url, { headers: { 'x-api-key': BENCH_AUDITOR_KEY } })).arrayBuffer()).byteLength
      await autocannon({ url, connections: 4, duration: 2, headers: { 'x-api-key': BENCH_AUDITOR_KEY } })
      const cpuBefore = server.cpuSeconds()
      const result = await autocannon({ url, connections: 4, duration: DURATION, headers: { 'x-api-key': BENCH_AUDITOR_KEY } })
      const cpuMs = 1000 * (server.cpuSeconds() - cpuBefore) / (result.requests.average * DURATION)
      if (result.non2xx > 0) throw new Error(`${format}: ${result.non2xx} answers were not 2xx`)
      rows.push(`| auditor answer, ${controls.toLocaleString('en')} controls and ${items.toLocaleString('en')} links, ${format.toUpperCase()} (${(size / 1e6).toFixed(2)} MB) | ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms, ${cpuMs.toFixed(1)} ms of server CPU per answer |`)
    }
  } finally {
    server.stop()
  }
  return rows
}

const only = process.env.BENCH_SCALE?.split(',')
const rows: string[] = []
if (only === undefined || only.includes('tenants')) rows.push(await manyTenants())
if (only === undefined || only.includes('evidence')) rows.push(await manyItems())
if (only === undefined || only.includes('large')) rows.push(...await largeAnswer())
console.log(`\nNode ${process.version}, server flags: ${SERVER_NODE_FLAGS.join(' ') || 'none'}\n\n| case | result |\n| --- | --- |\n${rows.join('\n')}`)
