import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { StartupError } from '../startup-error.ts'

/** Below this an HMAC key is guessable offline (RFC 7518 3.2 asks for at least 256 bits). */
export const MIN_SECRET_BYTES = 32

/** How the config names the environment variable that holds a secret. */
export const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')

export interface NamedSecret {
  /** The environment variable that holds it, as named in the config. */
  readonly env?: string
  /** The file that holds it; one trailing newline is not part of the secret. */
  readonly file?: string
  /** Where it is named in the config, for errors: `auth.jwt[0]` + `.secret_env`. */
  readonly configPath: string
  readonly envKey: string
  readonly fileKey: string
}

/** Why a secret could not be had. */
export type SecretProblem = 'unreadable' | 'missing' | 'too_short'

/**
 * Reads a secret from an environment variable or a file (one trailing newline is not part of it),
 * at least 32 bytes. Callers word the problem for where the secret was named.
 */
export function readSecret (source: { readonly env?: string, readonly file?: string }, env: NodeJS.ProcessEnv): { secret: Buffer } | { problem: SecretProblem } {
  let value: string | undefined
  if (source.env !== undefined) {
    value = env[source.env]
  } else {
    try {
      value = readFileSync(source.file as string, 'utf8').replace(/\r?\n$/, '')
    } catch {
      return { problem: 'unreadable' }
    }
  }
  if (value === undefined || value === '') return { problem: 'missing' }
  const secret = Buffer.from(value, 'utf8')
  return secret.byteLength < MIN_SECRET_BYTES ? { problem: 'too_short' } : { secret }
}

/**
 * A secret the config names by env var or file and never holds itself. Read once at start;
 * missing, unreadable or shorter than 32 bytes stops start-up naming the config key.
 */
export function readNamedSecret (secret: NamedSecret, env: NodeJS.ProcessEnv, configFile: string): Buffer {
  const result = readSecret(secret, env)
  if ('secret' in result) return result.secret
  const key = secret.env !== undefined ? secret.envKey : secret.fileKey
  const reason = result.problem === 'unreadable'
    ? `${secret.file} cannot be read`
    : result.problem === 'missing'
      ? `${secret.env ?? secret.file} is empty or not set`
      : `the shared secret must be at least ${MIN_SECRET_BYTES} bytes`
  throw new StartupError(configFile, `${secret.configPath}.${key}`, reason)
}
