import { createPublicKey } from 'node:crypto'
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey, type KeyObject } from 'jose'
import type { JwtIssuerConfig } from '../../config/jwt-schema.ts'
import type { JwtKeyMaterial } from '../../config/secrets.ts'
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
  /** Where this issuer sits in the config, for error messages: `auth.jwt[0]`. */
  readonly configPath: string
  readonly configFile: string
  readonly onRefreshError: (reason: string) => void
  readonly onRefreshed?: () => void
}

/** Turns the key material read with the config into what jose verifies with; nothing is read here. */
export function createKeySource (entry: JwtIssuerConfig, material: JwtKeyMaterial, context: KeySourceContext): KeySource {
  const fail = (key: string, reason: string) => new StartupError(context.configFile, `${context.configPath}.${key}`, reason)
  switch (material.kind) {
    case 'jwks_url': {
      const remote = new RemoteJwks(material.url, {
        maxAgeMs: entry.jwks_cache_max_age,
        cooldownMs: entry.jwks_cooldown,
        timeoutMs: entry.jwks_timeout,
        onRefreshError: context.onRefreshError,
        onRefreshed: context.onRefreshed
      })
      return { key: remote.getKey, development: false }
    }
    case 'jwks':
      try {
        const jwks = JSON.parse(material.text) as JSONWebKeySet
        const set = createLocalJWKSet(jwks)
        return { key: set, development: jwks.keys.some((k) => typeof k.kid === 'string' && k.kid.startsWith(DEV_KID_PREFIX)) }
      } catch {
        throw fail('jwks_file', `${entry.jwks_file} is not a valid JWKS ({"keys": [...]})`)
      }
    case 'public_key':
      try {
        return { key: createPublicKey(material.pem), development: false }
      } catch {
        throw fail('public_key_file', `${entry.public_key_file} is not a PEM public key`)
      }
    case 'secret':
      return { key: new Uint8Array(material.secret), development: false }
  }
}
