import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose'
import { DEV_KID_PREFIX } from '../auth/jwt/key-source.ts'
import { parseDuration } from '../config/duration.ts'
import type { JwtIssuerConfig } from '../config/jwt-schema.ts'
import type { CpxdConfig } from '../config/schema.ts'
import { writeFileAtomic } from '../fs/atomic-write.ts'
import { UsageError } from './command.ts'
import { tenantsOption, tierOption } from './options.ts'

export const DEV_KEY_DIR = 'dev-jwt'
const PRIVATE_KEY_FILE = 'private.jwk.json'
const JWKS_FILE = 'jwks.json'

export interface DevKeyFiles {
  readonly privateKeyFile: string
  readonly jwksFile: string
  readonly kid: string
}

/**
 * A development ES256 key pair: the private JWK (mode 0600) for `cpxd token mint`, and the JWKS
 * that `auth.jwt[].jwks_file` points at. Its kid starts with `cpxd-dev-`, so the server warns
 * whenever it trusts these keys.
 */
export async function writeDevKeys (dir: string, replace = false): Promise<DevKeyFiles> {
  if (!replace && existsSync(join(dir, PRIVATE_KEY_FILE))) {
    throw new UsageError(`${dir} already holds development keys, and tokens minted with them stop working once they are replaced; pass --force to replace them`)
  }
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  const kid = DEV_KID_PREFIX + (await calculateJwkThumbprint(publicJwk)).slice(0, 12)
  mkdirSync(dir, { recursive: true })
  const privateKeyFile = join(dir, PRIVATE_KEY_FILE)
  const jwksFile = join(dir, JWKS_FILE)
  writeFileAtomic(privateKeyFile, `${JSON.stringify({ ...await exportJWK(privateKey), kid, alg: 'ES256' }, null, 2)}\n`, 0o600)
  writeFileAtomic(jwksFile, `${JSON.stringify({ keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] }, null, 2)}\n`, 0o644)
  return { privateKeyFile, jwksFile, kid }
}

export interface MintOptions {
  readonly tenants: string | undefined
  readonly tier: string | undefined
  readonly ttl: string | undefined
  readonly sub: string | undefined
}

/** Signs a token with the dev key of the configured issuer whose JWKS came from `dev-keys`. */
export async function mintDevToken (config: CpxdConfig, opts: MintOptions): Promise<string> {
  const issuer = (config.auth.jwt ?? []).find((entry) => entry.jwks_file !== undefined && dirname(entry.jwks_file).endsWith(DEV_KEY_DIR))
  if (issuer === undefined) {
    throw new UsageError(`no auth.jwt issuer uses a development JWKS (${DEV_KEY_DIR}/${JWKS_FILE}); run \`cpxd token dev-keys\` and point jwks_file at it`)
  }
  const tier = tierOption(opts.tier)
  const tenants = tenantsOption('--tenant', opts.tenants, false)
  const ttl = parseDuration(opts.ttl ?? '15m')
  if (ttl === undefined || ttl < 1000) throw new UsageError('--ttl must be a duration such as 15m or 1h')
  if (ttl > issuer.max_token_age) throw new UsageError('--ttl is longer than the issuer\'s max_token_age; the server would refuse the token')
  const privateJwk = readPrivateKey(issuer)
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ [issuer.tenants_claim]: tenants, [issuer.tier_claim]: tier })
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid, typ: 'JWT' })
    .setIssuer(issuer.issuer)
    .setAudience(issuer.audience)
    .setSubject(opts.sub ?? 'dev-user')
    .setIssuedAt(now)
    .setExpirationTime(now + Math.floor(ttl / 1000))
    .sign(await importJWK(privateJwk, 'ES256'))
}

function readPrivateKey (issuer: JwtIssuerConfig): JWK {
  const file = join(dirname(issuer.jwks_file as string), PRIVATE_KEY_FILE)
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JWK
  } catch {
    throw new UsageError(`${file} cannot be read; run \`cpxd token dev-keys\` first`)
  }
}
