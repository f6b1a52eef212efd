import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { createAuditLog } from '../../src/audit/audit-logger.ts'
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { configSchema, type CpxdConfig } from '../../src/config/schema.ts'
import { loadPostureDir } from '../../src/posture/loader.ts'
import { PostureStore } from '../../src/posture/store.ts'

export const EXAMPLE_POSTURE_DIR = join(import.meta.dirname, '..', '..', 'config', 'posture')
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

/** The test keys, plus whatever `auth` the overrides bring (`auth.api_keys` replaces the keys). */
export function testConfig (overrides: Record<string, unknown> = {}): CpxdConfig {
  return configSchema.parse({
    cors: { origins: [ALLOWED_ORIGIN] },
    log: { level: 'silent' },
    ...overrides,
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

/** The one way tests build cpxd: the real app, the example posture, an audit file of its own. */
export async function build (overrides: Record<string, unknown> = {}, postureDir = EXAMPLE_POSTURE_DIR): Promise<TestApp> {
  const config = testConfig(overrides)
  const auditFile = join(mkdtempSync(join(tmpdir(), 'cpxd-test-')), 'audit.log')
  const store = new PostureStore()
  store.replace(loadPostureDir(postureDir))
  const app = await buildApp(config, { store, auditLog: createAuditLog(auditFile) })
  return {
    app,
    config,
    auditFile,
    auditLines: () => existsSync(auditFile)
      ? readFileSync(auditFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
      : []
  }
}
