import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createSecureContext } from 'node:tls'
import { StartupError } from '../startup-error.ts'
import type { JwtIssuerConfig } from './jwt-schema.ts'
import { readNamedSecret } from './named-secret.ts'
import type { CpxdConfig } from './schema.ts'

/** The key material one `auth.jwt` entry names, read from its file or variable. */
export type JwtKeyMaterial =
  | { readonly kind: 'jwks_url', readonly url: string }
  | { readonly kind: 'jwks', readonly text: string }
  | { readonly kind: 'public_key', readonly pem: string }
  | { readonly kind: 'secret', readonly secret: Buffer }

/** The audit chain's key, or the file a first start is to create it in. */
export type AuditKeySecret =
  | { readonly secret: Buffer }
  | { readonly missingFile: string }

/**
 * Every secret and key file the config names, read once, right after the config: building the
 * app afterwards touches neither the environment nor the disk for them, and a missing or short
 * secret stops start-up naming its config key.
 */
export interface Secrets {
  /** Signs gateway links; undefined when none is configured (then a random key per process). */
  readonly gatewayKey: Buffer | undefined
  /** One per `auth.jwt` entry, in the same order. */
  readonly jwtKeys: readonly JwtKeyMaterial[]
  readonly auditKey: AuditKeySecret
  /** The HTTPS certificate (chain included) and key, PEM, when `server.tls` is set. */
  readonly tls: TlsPair | undefined
  /** Undefined when `signing.enabled` is false. */
  readonly signing: SigningSecrets | undefined
  /** The Redis that keeps rate-limit counters, when one is configured (its URL may hold a password). */
  readonly rateLimitRedisUrl: string | undefined
  /** The PostgreSQL connection string of `posture.store.kind: postgres`. */
  readonly postureStoreUrl: string | undefined
}

/** A key's text with the config key that named it, for errors about its content. */
export interface KeyText {
  readonly text: string
  readonly configPath: string
}

/** The signing key (or the file a first start creates it in) and the retired public keys. */
export interface SigningSecrets {
  readonly key: KeyText | { readonly missingFile: string }
  readonly retired: readonly KeyText[]
}

export interface TlsPair {
  readonly cert: string
  readonly key: string
}

export function readSecrets (config: CpxdConfig, env: NodeJS.ProcessEnv, configFile: string): Secrets {
  return {
    gatewayKey: readGatewayKey(config.evidence, env, configFile),
    jwtKeys: readJwtKeys(config.auth.jwt ?? [], env, configFile),
    auditKey: readAuditKeySecret(config.audit, env, configFile),
    tls: readTlsPair(config.server.tls, configFile),
    signing: readSigningSecrets(config.signing, env, configFile),
    rateLimitRedisUrl: readRedisUrl(config.rate_limit, env, configFile),
    postureStoreUrl: readPostureStoreUrl(config.posture.store, env, configFile)
  }
}

export function readPostureStoreUrl (store: CpxdConfig['posture']['store'], env: NodeJS.ProcessEnv, configFile: string): string | undefined {
  if (store.kind !== 'postgres' || store.url_env === undefined) return undefined
  const url = env[store.url_env]
  if (url === undefined || url === '') throw new StartupError(configFile, 'posture.store.url_env', `${store.url_env} is empty or not set`)
  if (!/^postgres(ql)?:\/\/[^\s]+$/.test(url)) throw new StartupError(configFile, 'posture.store.url_env', `${store.url_env} must hold a postgres:// connection string`)
  return url
}

/** `rate_limit.redis_url`, or the URL in `rate_limit.redis_url_env` (which may hold a password). */
export function readRedisUrl (limits: CpxdConfig['rate_limit'], env: NodeJS.ProcessEnv, configFile: string): string | undefined {
  if (limits.redis_url_env === undefined) return limits.redis_url
  const url = env[limits.redis_url_env]
  if (url === undefined || url === '') throw new StartupError(configFile, 'rate_limit.redis_url_env', `${limits.redis_url_env} is empty or not set`)
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) throw new StartupError(configFile, 'rate_limit.redis_url_env', `${limits.redis_url_env} must hold a redis:// or rediss:// URL`)
  return url
}

/** Where the signing key is kept when the config names none: `.cpxd/signing-key.jwk` beside it. */
export function defaultSigningKeyFile (configFile: string): string {
  return join(dirname(configFile), '.cpxd', 'signing-key.jwk')
}

/**
 * The signing key by `signing.key_env` or `signing.key_file`, by default `.cpxd/signing-key.jwk`
 * beside the config. A key file that does not exist yet is made at start (plugins/app/signing.ts);
 * a variable that is not set is an error, since cpxd cannot write one.
 */
export function readSigningSecrets (signing: CpxdConfig['signing'], env: NodeJS.ProcessEnv, configFile: string): SigningSecrets | undefined {
  if (!signing.enabled) return undefined
  const retired = signing.retired_keys.map((file, index) => {
    const configPath = `signing.retired_keys[${index}]`
    return { text: readKeyFile(file, configFile, configPath), configPath }
  })
  if (signing.key_env !== undefined) {
    const text = env[signing.key_env]
    if (text === undefined || text.trim() === '') throw new StartupError(configFile, 'signing.key_env', `${signing.key_env} is empty or not set`)
    return { key: { text, configPath: 'signing.key_env' }, retired }
  }
  const file = signing.key_file ?? defaultSigningKeyFile(configFile)
  if (!existsSync(file)) return { key: { missingFile: file }, retired }
  return { key: { text: readKeyFile(file, configFile, 'signing.key_file'), configPath: 'signing.key_file' }, retired }
}

/** Read and tried together now, so a wrong or mismatched pair stops start-up, not a handshake. */
export function readTlsPair (tls: CpxdConfig['server']['tls'], configFile: string): TlsPair | undefined {
  if (tls === undefined) return undefined
  const pair = { cert: readKeyFile(tls.cert_file, configFile, 'server.tls.cert_file'), key: readKeyFile(tls.key_file, configFile, 'server.tls.key_file') }
  try {
    createSecureContext(pair)
  } catch (err) {
    throw new StartupError(configFile, 'server.tls', `the certificate and key cannot be used together (${(err as { code?: string }).code ?? 'invalid PEM'})`)
  }
  return pair
}

export function readGatewayKey (evidence: CpxdConfig['evidence'], env: NodeJS.ProcessEnv, configFile: string): Buffer | undefined {
  const { gateway_key_env: name, gateway_key_file: file } = evidence
  if (name === undefined && file === undefined) return undefined
  return readNamedSecret({ env: name, file, configPath: 'evidence', envKey: 'gateway_key_env', fileKey: 'gateway_key_file' }, env, configFile)
}

export function readJwtKeys (issuers: readonly JwtIssuerConfig[], env: NodeJS.ProcessEnv, configFile: string): JwtKeyMaterial[] {
  return issuers.map((entry, index) => readJwtKey(entry, index, env, configFile))
}

/** The key material of `auth.jwt[index]`. */
export function readJwtKey (entry: JwtIssuerConfig, index: number, env: NodeJS.ProcessEnv, configFile: string): JwtKeyMaterial {
  const configPath = `auth.jwt[${index}]`
  if (entry.jwks_url !== undefined) return { kind: 'jwks_url', url: entry.jwks_url }
  if (entry.jwks_file !== undefined) return { kind: 'jwks', text: readKeyFile(entry.jwks_file, configFile, `${configPath}.jwks_file`) }
  if (entry.public_key_file !== undefined) return { kind: 'public_key', pem: readKeyFile(entry.public_key_file, configFile, `${configPath}.public_key_file`) }
  const secret = readNamedSecret({ env: entry.secret_env, file: entry.secret_file, configPath, envKey: 'secret_env', fileKey: 'secret_file' }, env, configFile)
  return { kind: 'secret', secret }
}

function readKeyFile (file: string, configFile: string, configPath: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    throw new StartupError(configFile, configPath, `${file} cannot be read`)
  }
}

/**
 * The audit key by `audit.key_env` or `audit.key_file`, by default `audit.key` beside the audit
 * file. A key file that does not exist yet is not an error here: the audit log makes one on a
 * first start, and only then (audit-key.ts).
 */
export function readAuditKeySecret (audit: CpxdConfig['audit'], env: NodeJS.ProcessEnv, configFile: string): AuditKeySecret {
  const file = auditKeyFile(audit, configFile)
  if (file !== undefined && !existsSync(file)) return { missingFile: file }
  return { secret: readNamedSecret({ env: audit.key_env, file, configPath: 'audit', envKey: 'key_env', fileKey: 'key_file' }, env, configFile) }
}

/** `audit.key_file`, or by default `audit.key` beside the audit file; undefined with `key_env`. */
function auditKeyFile (audit: CpxdConfig['audit'], configFile: string): string | undefined {
  if (audit.key_env !== undefined) return undefined
  if (audit.key_file !== undefined) return audit.key_file
  if (audit.file === '-') throw new StartupError(configFile, 'audit.key_file', 'set audit.key_file or audit.key_env: with audit.file "-" there is no folder to keep a generated key in')
  return join(dirname(audit.file), 'audit.key')
}
