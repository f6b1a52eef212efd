import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { importJWK, SignJWT } from 'jose'
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver'
import { writeDevKeys } from '../src/cli/token.ts'
import { BENCH_BUCKET, BENCH_ISSUER, EVIDENCE_ITEMS, S3_KEY } from './constants.ts'

/**
 * What the bench servers read, through the environment they inherit: an S3-compatible server with
 * the evidence objects, a posture that lists them all, and a JWT key pair for this run only.
 * Returns the one token the JWT case reuses (as a GRC tool would).
 */
export async function prepareBenchFixtures (): Promise<{ jwt: string, close: () => Promise<void> }> {
  // An S3-compatible server with the evidence objects, and a posture that lists them all.
  process.env.AWS_ACCESS_KEY_ID = S3_KEY
  process.env.AWS_SECRET_ACCESS_KEY = S3_KEY
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: mkdtempSync(join(tmpdir(), 'cpxd-bench-s3-')), configureBuckets: [{ name: BENCH_BUCKET }] })
  const { port: s3Port } = await s3rver.run() as { port: number }
  process.env.BENCH_S3_ENDPOINT = `http://127.0.0.1:${s3Port}`
  const client = new S3Client({ region: 'us-east-1', endpoint: process.env.BENCH_S3_ENDPOINT, forcePathStyle: true })
  for (let i = 0; i < EVIDENCE_ITEMS; i++) await client.send(new PutObjectCommand({ Bucket: BENCH_BUCKET, Key: `evidence/item-${i}.txt`, Body: `evidence ${i}\n`.repeat(100) }))
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
  const jwt = await new SignJWT({ cpx_tenants: ['acme'], cpx_tier: 'customer' })
    .setProtectedHeader({ alg: 'ES256', kid: keys.kid })
    .setIssuer(BENCH_ISSUER).setAudience('cpxd').setSubject('bench').setIssuedAt().setExpirationTime('1h')
    .sign(await importJWK(JSON.parse(readFileSync(keys.privateKeyFile, 'utf8')), 'ES256'))
  client.destroy()
  return { jwt, close: async () => { await s3rver.close() } }
}
