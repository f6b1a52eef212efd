import { createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey, type KeyObject } from 'jose'
import type { JwtIssuerConfig } from '../../config/jwt-schema.ts'
import { StartupError } from '../../startup-error.ts'
import { RemoteJwks } from './remote-jwks.ts'

/** What jwtVerify is given: a resolver for JWKS, a fixed key otherwise. */
export type VerificationKey = JWTVerifyGetKey | KeyObject | Uint8Array

/** Below this a shared HMAC secret is guessable offline from one token (RFC 7518 3.2: >= 256 bits). */
const MIN_SECRET_BYTES = 32

/** Key ids that `cpxd token dev-keys` makes; seeing one in a JWKS means development keys are trusted. */
export const DEV_KID_PREFIX = 'cpxd-dev-'

export interface KeySource {
  readonly key: VerificationKey
  /** True when the keys came from `cpxd token dev-keys`: the server warns at start. */
  readonly development: boolean
}

export interface KeySourceContext {
  readonly env: NodeJS.ProcessEnv
  /** Where this issuer sits in the config, for error messages: `auth.jwt[0]`. */
  readonly configPath: string
  readonly configFile: string
  readonly onRefreshError: (reason: string) => void
}

export function createKeySource (entry: JwtIssuerConfig, context: KeySourceContext): KeySource {
  const fail = (key: string, reason: string) => new StartupError(context.configFile, `${context.configPath}.${key}`, reason)
  if (entry.jwks_url !== undefined) {
    const remote = new RemoteJwks(entry.jwks_url, {
      maxAgeMs: entry.jwks_cache_max_age,
      cooldownMs: entry.jwks_cooldown,
      timeoutMs: entry.jwks_timeout,
      onRefreshError: context.onRefreshError
    })
    return { key: remote.getKey, development: false }
  }
  if (entry.jwks_file !== undefined) {
    const text = readKeyFile(entry.jwks_file, () => fail('jwks_file', `${entry.jwks_file} cannot be read`))
    try {
      const jwks = JSON.parse(text) as JSONWebKeySet
      const set = createLocalJWKSet(jwks)
      return { key: set, development: jwks.keys.some((k) => typeof k.kid === 'string' && k.kid.startsWith(DEV_KID_PREFIX)) }
    } catch {
      throw fail('jwks_file', `${entry.jwks_file} is not a valid JWKS ({"keys": [...]})`)
    }
  }
  if (entry.public_key_file !== undefined) {
    const pem = readKeyFile(entry.public_key_file, () => fail('public_key_file', `${entry.public_key_file} cannot be read`))
    try {
      const key = createPublicKey(pem)
      return { key, development: false }
    } catch {
      throw fail('public_key_file', `${entry.public_key_file} is not a PEM public key`)
    }
  }
  const secret = entry.secret_env !== undefined
    ? context.env[entry.secret_env]
    : readKeyFile(entry.secret_file as string, () => fail('secret_file', `${entry.secret_file} cannot be read`)).replace(/\r?\n$/, '')
  const where = entry.secret_env !== undefined ? 'secret_env' : 'secret_file'
  if (secret === undefined || secret === '') throw fail(where, `${entry.secret_env ?? entry.secret_file} is empty or not set`)
  const bytes = new TextEncoder().encode(secret)
  if (bytes.byteLength < MIN_SECRET_BYTES) throw fail(where, `the shared secret must be at least ${MIN_SECRET_BYTES} bytes`)
  return { key: bytes, development: false }
}

function readKeyFile (file: string, error: () => StartupError): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    throw error()
  }
}
