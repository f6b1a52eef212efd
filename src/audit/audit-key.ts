import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { readNamedSecret } from '../config/named-secret.ts'
import type { CpxdConfig } from '../config/schema.ts'
import type { AuditKeySecret } from '../config/secrets.ts'
import { createFileOnce } from '../fs/atomic-write.ts'
import { StartupError } from '../startup-error.ts'

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
/** A chain exists but its key file does not: a new key would make every sealed line unverifiable. */
export function keyLostError (audit: CpxdConfig['audit'], keyFile: string, configFile: string): StartupError {
  return new StartupError(configFile, 'audit.key_file', `${keyFile} does not exist, but ${audit.file} already holds sealed lines: restore the key, or move the old audit files aside to start a new chain`)
}

export function loadAuditKey (audit: CpxdConfig['audit'], secret: AuditKeySecret, configFile: string, chainExists: boolean): AuditKey {
  if ('secret' in secret) return { key: createSecretKey(secret.secret), created: undefined }
  const file = secret.missingFile
  if (chainExists) throw keyLostError(audit, file, configFile)
  let created: string | undefined
  try {
    mkdirSync(dirname(file), { recursive: true })
    if (createFileOnce(file, `${randomBytes(32).toString('hex')}\n`, 0o600)) created = file
  } catch (err) {
    throw new StartupError(configFile, 'audit.key_file', `${file} cannot be created: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  // Another process may have made the file first; its key is the one to use.
  const key = readNamedSecret({ file, configPath: 'audit', envKey: 'key_env', fileKey: 'key_file' }, {}, configFile)
  return { key: createSecretKey(key), created }
}
