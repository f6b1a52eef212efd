import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { readNamedSecret } from '../config/named-secret.ts'
import type { CpxdConfig } from '../config/schema.ts'
import { createFileOnce } from '../fs/atomic-write.ts'
import { StartupError } from '../startup-error.ts'

type AuditConfig = CpxdConfig['audit']

export interface AuditKey {
  readonly key: KeyObject
  /** The key file made at this start, when there was none (the operator should keep a copy). */
  readonly created: string | undefined
}

/**
 * The server's key that seals the audit chain. A missing key file is created (256 random bits,
 * mode 0600) only while no chain exists yet: once lines are sealed, a new key would make every
 * earlier line unverifiable, so a lost key stops start-up instead.
 */
export function loadAuditKey (audit: AuditConfig, env: NodeJS.ProcessEnv, configFile: string, chainExists: boolean): AuditKey {
  const file = auditKeyFile(audit, configFile)
  let created: string | undefined
  if (file !== undefined && !existsSync(file)) {
    if (chainExists) {
      throw new StartupError(configFile, 'audit.key_file', `${file} does not exist, but ${audit.file} already holds sealed lines: restore the key, or move the old audit files aside to start a new chain`)
    }
    try {
      mkdirSync(dirname(file), { recursive: true })
      if (createFileOnce(file, `${randomBytes(32).toString('hex')}\n`, 0o600)) created = file
    } catch (err) {
      throw new StartupError(configFile, 'audit.key_file', `${file} cannot be created: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
    }
  }
  return { key: readAuditKey(audit, env, configFile), created }
}

/**
 * What start-up would refuse about the key, without creating one (`cpxd check`): a named key that
 * is missing or too short, or no key named for stdout. A default key file that does not exist yet
 * is fine: the first start makes it.
 */
export function checkAuditKey (audit: AuditConfig, env: NodeJS.ProcessEnv, configFile: string): void {
  const file = auditKeyFile(audit, configFile)
  if (file !== undefined && !existsSync(file)) return
  readAuditKey(audit, env, configFile)
}

/** The key as configured, for reading a log (`cpxd audit verify`); never creates one. */
export function readAuditKey (audit: AuditConfig, env: NodeJS.ProcessEnv, configFile: string): KeyObject {
  const secret = { env: audit.key_env, file: auditKeyFile(audit, configFile), configPath: 'audit', envKey: 'key_env', fileKey: 'key_file' }
  return createSecretKey(readNamedSecret(secret, env, configFile))
}

/** `audit.key_file`, or by default `audit.key` beside the audit file; undefined with `key_env`. */
function auditKeyFile (audit: AuditConfig, configFile: string): string | undefined {
  if (audit.key_env !== undefined) return undefined
  if (audit.key_file !== undefined) return audit.key_file
  if (audit.file === '-') throw new StartupError(configFile, 'audit.key_file', 'set audit.key_file or audit.key_env: with audit.file "-" there is no folder to keep a generated key in')
  return join(dirname(audit.file), 'audit.key')
}
