import { createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey, type KeyObject } from 'jose'
import type { JwtIssuerConfig } from '../../config/jwt-schema.ts'
import { readNamedSecret } from '../../config/named-secret.ts'
import { StartupError } from '../../startup-error.ts'
import { RemoteJwks } from './remote-jwks.ts'

/** What jwtVerify is given: a resolver for JWKS, a fixed key otherwise. */
export type VerificationKey = JWTVerifyGetKey | KeyObject | Uint8Array

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
  const secret = readNamedSecret(
    { env: entry.secret_env, file: entry.secret_file, configPath: context.configPath, envKey: 'secret_env', fileKey: 'secret_file' },
    context.env, context.configFile)
  return { key: new Uint8Array(secret), development: false }
}

function readKeyFile (file: string, error: () => StartupError): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    throw error()
  }
}
