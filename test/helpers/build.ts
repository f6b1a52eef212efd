import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { createAuditLog } from '../../src/audit/audit-logger.ts'
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { configSchema, type CpxdConfig } from '../../src/config/schema.ts'
import { readSecrets } from '../../src/config/secrets.ts'
import { jsonLines } from './json-lines.ts'

export const EXAMPLE_POSTURE_DIR = join(import.meta.dirname, '..', '..', 'config', 'posture')
export const EXAMPLE_EVIDENCE_DIR = join(import.meta.dirname, '..', '..', 'config', 'evidence')

/**
 * A project folder for tests that run the real process: the example posture and evidence, and a
 * cpxd.yaml listening on a free port, auditing to `audit.log`, plus `extra` lines.
 */
export function writeProject (extra: string[]): { dir: string, config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cpxd-project-'))
  const config = join(dir, 'cpxd.yaml')
  writeFileSync(config, ['server: { host: 127.0.0.1, port: 0 }', 'audit: { file: audit.log }', ...copyExample(dir), ...extra].join('\n'))
  return { dir, config }
}

/** Copies the example posture and evidence into `dir`; returns the config lines that find them. */
export function copyExample (dir: string): string[] {
  cpSync(EXAMPLE_POSTURE_DIR, join(dir, 'posture'), { recursive: true })
  cpSync(EXAMPLE_EVIDENCE_DIR, join(dir, 'evidence'), { recursive: true })
  return ['posture_dir: posture', 'evidence: { local_root: evidence, cache_dir: hash-cache }']
}
/** One signing key per test process, made by the first app that needs it (as a server's first start makes one). */
export const TEST_SIGNING_KEY_FILE = join(mkdtempSync(join(tmpdir(), 'cpxd-signing-')), 'signing-key.jwk')

export const ALLOWED_ORIGIN = 'https://trust.northwind.example'

/** Fresh keys per test run; the plaintext is known to the tests, only hashes go in the config. */
export const KEYS = {
  acmeCustomer: generateApiKey(),
  auditorAll: generateApiKey(),
  publicTier: generateApiKey()
}

export interface TestApp {
  app: FastifyInstance
  config: CpxdConfig
  auditFile: string
  /** The audit log so far, one parsed object per line. */
  auditLines: () => Array<Record<string, unknown>>
}

/** The shared test key, unless the test names a key of its own. */
function testSigning (signing: Record<string, unknown> = {}): Record<string, unknown> {
  return signing.key_env === undefined ? { key_file: TEST_SIGNING_KEY_FILE, ...signing } : signing
}

/** The test keys, plus whatever `auth` the overrides bring (`auth.api_keys` replaces the keys). */
export function testConfig (overrides: Record<string, unknown> = {}): CpxdConfig {
  return configSchema.parse({
    cors: { origins: [ALLOWED_ORIGIN] },
    log: { level: 'silent' },
    // A test machine running many test files at once lags more than any limit meant for production:
    // only the overload tests (test/plugins/under-pressure.test.ts) shed load.
    overload: { max_event_loop_delay: '60s' },
    ...overrides,
    signing: testSigning(overrides.signing as Record<string, unknown> | undefined),
    auth: {
      api_keys: [
        { id: 'acme-customer', hash: hashApiKey(KEYS.acmeCustomer), tier: 'customer', tenants: ['acme'] },
        { id: 'auditor-all', hash: hashApiKey(KEYS.auditorAll), tier: 'auditor', tenants: ['*'] },
        { id: 'public-reader', hash: hashApiKey(KEYS.publicTier), tier: 'public', tenants: ['acme'] }
      ],
      ...(overrides.auth as Record<string, unknown> | undefined)
    }
  })
}

/**
 * The one way tests build cpxd: the real app, the example posture and evidence loaded the way the
 * server loads them, and an audit file and hash cache of its own.
 */
export async function build (overrides: Record<string, unknown> = {}): Promise<TestApp> {
  const scratch = mkdtempSync(join(tmpdir(), 'cpxd-test-'))
  const config = testConfig({
    posture_dir: EXAMPLE_POSTURE_DIR,
    evidence: { local_root: EXAMPLE_EVIDENCE_DIR, cache_dir: join(scratch, 'hash-cache') },
    ...overrides
  })
  const auditFile = (overrides.audit as { file?: string } | undefined)?.file ?? join(scratch, 'audit.log')
  const app = await buildTestApp(config, auditFile)
  await app.loadPosture()
  return {
    app,
    config,
    auditFile,
    auditLines: () => jsonLines(auditFile)
  }
}

/** `build`, listening on a free loopback port, for tests that speak raw HTTP. */
export async function buildListening (overrides: Record<string, unknown> = {}): Promise<TestApp & { port: number }> {
  const t = await build(overrides)
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  return { ...t, port: (t.app.server.address() as { port: number }).port }
}

/** The app as the server builds it, with a plain audit log and secrets read from no environment; posture not loaded yet. */
export async function buildTestApp (config: CpxdConfig, auditFile: string): Promise<FastifyInstance> {
  return buildApp(config, { auditLog: createAuditLog(auditFile), secrets: readSecrets(config, {}, 'cpxd.yaml'), configFile: 'cpxd.yaml' })
}
