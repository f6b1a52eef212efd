import { createHmac, createSecretKey } from 'node:crypto'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadAuditKey as loadKey } from '../../src/audit/audit-key.ts'
import { configSchema, type CpxdConfig } from '../../src/config/schema.ts'
import { readAuditKeySecret } from '../../src/config/secrets.ts'
import { startupErrorFrom } from '../helpers/startup-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

function expectStartupError (load: () => unknown, file: string, path: string, reason: string): void {
  expect(startupErrorFrom(load)).toMatchObject({ file, path, reason })
}

/** As start-up does it: the secret read with the config, then the key loaded (or made) by the audit log. */
function loadAuditKey (audit: CpxdConfig['audit'], env: NodeJS.ProcessEnv, configFile: string, chainExists: boolean) {
  return loadKey(audit, readAuditKeySecret(audit, env, configFile), configFile, chainExists)
}

function readAuditKey (audit: CpxdConfig['audit'], env: NodeJS.ProcessEnv, configFile: string) {
  const secret = readAuditKeySecret(audit, env, configFile)
  if (!('secret' in secret)) throw new Error('no key file')
  return createSecretKey(secret.secret)
}

const mac = (key: import('node:crypto').KeyObject) => createHmac('sha256', key).update('x').digest('hex')

describe('the audit key', () => {
  it('is created beside the audit file on a first start, 256 random bits, readable by its owner only', () => {
    const dir = scratchDir()
    const audit = { file: join(dir, 'logs', 'audit.log'), fail_closed: true }
    const loaded = loadAuditKey(audit, {}, 'cpxd.yaml', false)
    const file = join(dir, 'logs', 'audit.key')
    expect(loaded.created).toBe(file)
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const again = loadAuditKey(audit, {}, 'cpxd.yaml', true)
    expect(again.created).toBeUndefined()
    expect(mac(again.key)).toBe(mac(loaded.key))
    expect(mac(readAuditKey(audit, {}, 'cpxd.yaml'))).toBe(mac(loaded.key))
  })

  it('is never made anew once sealed lines exist: a lost key stops start-up', () => {
    const dir = scratchDir()
    expectStartupError(() => loadAuditKey({ file: join(dir, 'audit.log'), fail_closed: true, key_file: join(dir, 'k') }, {}, 'cpxd.yaml', true),
      'cpxd.yaml', 'audit.key_file', `${join(dir, 'k')} does not exist, but ${join(dir, 'audit.log')} already holds sealed lines: restore the key, or move the old audit files aside to start a new chain`)
  })

  it('comes from the environment variable key_env names, at least 32 bytes', () => {
    const audit = { file: '-', fail_closed: true, key_env: 'CPXD_AUDIT_KEY' }
    const key = 'e'.repeat(32)
    expect(mac(loadAuditKey(audit, { CPXD_AUDIT_KEY: key }, 'cpxd.yaml', true).key)).toBe(createHmac('sha256', key).update('x').digest('hex'))
    expectStartupError(() => loadAuditKey(audit, { CPXD_AUDIT_KEY: 'short' }, 'cpxd.yaml', false), 'cpxd.yaml', 'audit.key_env', 'the shared secret must be at least 32 bytes')
    expectStartupError(() => loadAuditKey(audit, {}, 'cpxd.yaml', false), 'cpxd.yaml', 'audit.key_env', 'CPXD_AUDIT_KEY is empty or not set')
  })

  it('must be named when the audit log goes to stdout', () => {
    expectStartupError(() => loadAuditKey({ file: '-', fail_closed: true }, {}, 'cpxd.yaml', false),
      'cpxd.yaml', 'audit.key_file', 'set audit.key_file or audit.key_env: with audit.file "-" there is no folder to keep a generated key in')
  })

  it('is read from a key file that exists', () => {
    const file = join(scratchDir(), 'audit.key')
    writeFileSync(file, `${'f'.repeat(40)}\n`)
    const { key, created } = loadAuditKey({ file: '-', fail_closed: true, key_file: file }, {}, 'cpxd.yaml', false)
    expect(created).toBeUndefined()
    expect(mac(key)).toBe(createHmac('sha256', 'f'.repeat(40)).update('x').digest('hex'))
  })

  it('is named by key_env or key_file, not both', () => {
    const result = configSchema.safeParse({ audit: { key_env: 'A', key_file: 'b' } })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]).toMatchObject({ path: ['audit'], message: 'set key_env or key_file, not both' })
  })
})
