// npm run bench: bare Fastify vs cpxd, in one run, each server in its own process.
// Prints requests/s, p99 latency and the ratio to bare Fastify serving the same bytes.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { importJWK, SignJWT } from 'jose'
import { writeDevKeys } from '../src/cli/token.ts'
import { BENCH_API_KEY, BENCH_ISSUER } from './constants.ts'

// A key pair for this run only, and one token for the JWT case (what a GRC tool would reuse).
const keys = await writeDevKeys(mkdtempSync(join(tmpdir(), 'cpxd-bench-jwt-')))
process.env.BENCH_JWKS_FILE = keys.jwksFile
const BENCH_JWT = await new SignJWT({ cpx_tenants: ['acme'], cpx_tier: 'customer' })
  .setProtectedHeader({ alg: 'ES256', kid: keys.kid })
  .setIssuer(BENCH_ISSUER).setAudience('cpxd').setSubject('bench').setIssuedAt().setExpirationTime('1h')
  .sign(await importJWK(JSON.parse(readFileSync(keys.privateKeyFile, 'utf8')), 'ES256'))

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

interface Case { name: string, server: 'bare' | 'cpxd', path: string, headers?: Record<string, string> }

const CASES: Case[] = [
  { name: 'bare Fastify, same bytes', server: 'bare', path: '/cpx' },
  { name: 'cpxd GET /cpx (public)', server: 'cpxd', path: '/cpx' },
  { name: 'cpxd GET /cpx/acme (API key)', server: 'cpxd', path: '/cpx/acme', headers: { 'x-api-key': BENCH_API_KEY } },
  { name: 'cpxd GET /cpx/acme (JWT, ES256)', server: 'cpxd', path: '/cpx/acme', headers: { authorization: `Bearer ${BENCH_JWT}` } }
]

async function start (mode: string): Promise<{ child: ChildProcess, port: number }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'server.ts'), mode], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const match = /READY (\d+)/.exec(chunk)
      if (match) resolve(Number(match[1]))
    })
    child.on('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)))
  })
  return { child, port }
}

async function measure (port: number, c: Case) {
  const run = (duration: number) => autocannon({ url: `http://127.0.0.1:${port}${c.path}`, connections: CONNECTIONS, duration, headers: c.headers })
  await run(2) // warm-up: JIT, connection pools
  const result = await run(DURATION)
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${c.name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  return { rps: result.requests.average, p99: result.latency.p99 }
}

const rows: Array<{ name: string, rps: number, p99: number }> = []
for (const c of CASES) {
  const { child, port } = await start(c.server)
  try {
    rows.push({ name: c.name, ...(await measure(port, c)) })
  } finally {
    child.kill('SIGTERM')
  }
}

const baseline = rows[0]!.rps
console.log(`\n${DURATION}s per case, ${CONNECTIONS} connections, Node ${process.version}\n`)
console.log('| case | req/s | p99 ms | vs bare |')
console.log('| --- | ---: | ---: | ---: |')
for (const row of rows) console.log(`| ${row.name} | ${Math.round(row.rps)} | ${row.p99} | ${(row.rps / baseline).toFixed(2)} |`)
