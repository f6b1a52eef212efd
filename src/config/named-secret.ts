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

/**
 * A secret the config names by env var or file and never holds itself. Read once at start;
 * missing, unreadable or shorter than 32 bytes stops start-up naming the config key.
 */
export function readNamedSecret (secret: NamedSecret, env: NodeJS.ProcessEnv, configFile: string): Buffer {
  const key = secret.env !== undefined ? secret.envKey : secret.fileKey
  const fail = (reason: string) => new StartupError(configFile, `${secret.configPath}.${key}`, reason)
  let value: string | undefined
  if (secret.env !== undefined) {
    value = env[secret.env]
  } else {
    try {
      value = readFileSync(secret.file as string, 'utf8').replace(/\r?\n$/, '')
    } catch {
      throw fail(`${secret.file} cannot be read`)
    }
  }
  if (value === undefined || value === '') throw fail(`${secret.env ?? secret.file} is empty or not set`)
  const bytes = Buffer.from(value, 'utf8')
  if (bytes.byteLength < MIN_SECRET_BYTES) throw fail(`the shared secret must be at least ${MIN_SECRET_BYTES} bytes`)
  return bytes
}
