// npm run bench: bare Fastify vs cpxd, in one run, each server in its own process.
// Prints requests/s, p99 latency and the ratio to bare Fastify serving the same bytes.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { importJWK, SignJWT } from 'jose'
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver'
import { writeDevKeys } from '../src/cli/token.ts'
import { BENCH_API_KEY, BENCH_AUDITOR_KEY, BENCH_BUCKET, BENCH_ISSUER, EVIDENCE_ITEMS, S3_KEY } from './constants.ts'

// An S3-compatible server with the evidence objects, and a posture that lists them all.
process.env.AWS_ACCESS_KEY_ID = S3_KEY
process.env.AWS_SECRET_ACCESS_KEY = S3_KEY
const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: mkdtempSync(join(tmpdir(), 'cpxd-bench-s3-')), configureBuckets: [{ name: BENCH_BUCKET }] })
const { port: s3Port } = await s3rver.run() as { port: number }
process.env.BENCH_S3_ENDPOINT = `http://127.0.0.1:${s3Port}`
const s3 = new S3Client({ region: 'us-east-1', endpoint: process.env.BENCH_S3_ENDPOINT, forcePathStyle: true })
for (let i = 0; i < EVIDENCE_ITEMS; i++) await s3.send(new PutObjectCommand({ Bucket: BENCH_BUCKET, Key: `evidence/item-${i}.txt`, Body: `evidence ${i}\n`.repeat(100) }))
process.env.BENCH_POSTURE_DIR = mkdtempSync(join(tmpdir(), 'cpxd-bench-posture-'))
process.env.BENCH_CACHE_DIR = mkdtempSync(join(tmpdir(), 'cpxd-bench-cache-'))
writeFileSync(join(process.env.BENCH_POSTURE_DIR, 'bench.yaml'), [
  'frameworks:',
  '  - name: SOC2',
  '    status: compliant',
  '    score: 1',
  '    controls:',
  ...Array.from({ length: EVIDENCE_ITEMS }, (_, i) => `      - { id: C${i}, status: compliant }`),
  'evidence:',
  ...Array.from({ length: EVIDENCE_ITEMS }, (_, i) => `  - { id: item-${i}, description: Evidence ${i}, backend: s3, location: evidence/item-${i}.txt, controls: [C${i}] }`)
].join('\n'))

// A key pair for this run only, and one token for the JWT case (what a GRC tool would reuse).
const keys = await writeDevKeys(mkdtempSync(join(tmpdir(), 'cpxd-bench-jwt-')))
process.env.BENCH_JWKS_FILE = keys.jwksFile
const BENCH_JWT = await new SignJWT({ cpx_tenants: ['acme'], cpx_tier: 'customer' })
  .setProtectedHeader({ alg: 'ES256', kid: keys.kid })
  .setIssuer(BENCH_ISSUER).setAudience('cpxd').setSubject('bench').setIssuedAt().setExpirationTime('1h')
  .sign(await importJWK(JSON.parse(readFileSync(keys.privateKeyFile, 'utf8')), 'ES256'))

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

interface Case { name: string, server: 'bare' | 'cpxd' | 'cpxd-no-audit' | 'cpxd-no-audit-deferred' | 'naive-evidence' | 'evidence-direct' | 'evidence-gateway', path: string, headers?: Record<string, string> }

const CASES: Case[] = [
  { name: 'bare Fastify, same bytes', server: 'bare', path: '/cpx' },
  { name: 'cpxd GET /cpx (public)', server: 'cpxd', path: '/cpx' },
  { name: 'cpxd GET /cpx (public), audit log off', server: 'cpxd-no-audit', path: '/cpx' },
  { name: 'cpxd GET /cpx (public), audit log off, answers a turn later', server: 'cpxd-no-audit-deferred', path: '/cpx' },
  { name: 'cpxd GET /cpx/acme (API key)', server: 'cpxd', path: '/cpx/acme', headers: { 'x-api-key': BENCH_API_KEY } },
  { name: 'cpxd GET /cpx/acme (JWT, ES256)', server: 'cpxd', path: '/cpx/acme', headers: { authorization: `Bearer ${BENCH_JWT}` } },
  { name: `naive: ${EVIDENCE_ITEMS} x getSignedUrl per request`, server: 'naive-evidence', path: '/cpx/bench' },
  { name: `cpxd auditor, ${EVIDENCE_ITEMS} S3 items, direct`, server: 'evidence-direct', path: '/cpx/bench', headers: { 'x-api-key': BENCH_AUDITOR_KEY } },
  { name: `cpxd auditor, ${EVIDENCE_ITEMS} S3 items, gateway`, server: 'evidence-gateway', path: '/cpx/bench', headers: { 'x-api-key': BENCH_AUDITOR_KEY } }
]

async function start (mode: string): Promise<{ child: ChildProcess, port: number }> {
  // BENCH_CPU_PROF=DIR writes a V8 CPU profile of each server there, to see where a case spends its time.
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${mode}.cpuprofile`]
  const child = spawn(process.execPath, [...profile, join(import.meta.dirname, 'server.ts'), mode], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
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
  // A wrong answer invalidates the run; a timeout is a slow server's result, reported as such.
  if (result.non2xx > 0 || result.errors > result.timeouts) throw new Error(`${c.name}: ${result.non2xx} non-2xx, ${result.errors - result.timeouts} errors`)
  return { rps: result.requests.average, p99: result.latency.p99, timeouts: result.timeouts }
}

// BENCH_SERVERS=bare,cpxd,cpxd-no-audit runs only those servers' cases (quicker, for one question).
const only = process.env.BENCH_SERVERS?.split(',')
const rows: Array<{ name: string, rps: number, p99: number, timeouts: number }> = []
for (const c of CASES.filter((k) => only === undefined || only.includes(k.server))) {
  const { child, port } = await start(c.server)
  try {
    rows.push({ name: c.name, ...(await measure(port, c)) })
  } finally {
    child.kill('SIGTERM')
  }
}

await s3rver.close()

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
