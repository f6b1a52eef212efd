import { z } from 'zod'
import { TIERS } from '../domain/tier.ts'
import { duration } from './duration.ts'
import { envVarName } from './named-secret.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export const ASYMMETRIC_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const
export const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const
export const DEFAULT_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Keys come over TLS, except from this machine (a local identity provider, the tests). */
const jwksUrl = z.string().refine((value) => {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
  } catch {
    return false
  }
}, 'must be an https:// URL (http:// only for localhost)')

const KEY_SOURCES = ['jwks_url', 'jwks_file', 'public_key_file', 'secret_env', 'secret_file'] as const

/**
 * One trusted identity provider. Exactly one key source. A shared secret (HS*) is named by env var
 * or file, never written here, and cannot be mixed with public-key algorithms: an issuer is either
 * symmetric or asymmetric, which rules out algorithm confusion by construction.
 */
export const jwtIssuerSchema = z.strictObject({
  issuer: z.string().min(1),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  algorithms: z.array(z.enum([...ASYMMETRIC_ALGORITHMS, ...SYMMETRIC_ALGORITHMS])).min(1).optional(),
  jwks_url: jwksUrl.optional(),
  jwks_file: z.string().min(1).optional(),
  public_key_file: z.string().min(1).optional(),
  secret_env: envVarName.optional(),
  secret_file: z.string().min(1).optional(),
  tenants_claim: z.string().min(1).default('cpx_tenants'),
  tier_claim: z.string().min(1).default('cpx_tier'),
  /** The highest tier a token from this issuer can grant, whatever its claim says. */
  max_tier: z.enum(TIERS).default('customer'),
  /** Whether a token from this issuer may claim the publisher tier (POST /cpx); never by default. */
  allow_publisher: z.boolean().default(false),
  clock_tolerance: duration(0, 5 * MINUTE).default(30_000),
  max_token_age: duration(MINUTE, 7 * DAY).default(DAY),
  jwks_cache_max_age: duration(10_000, DAY).default(10 * MINUTE),
  jwks_cooldown: duration(1000, HOUR).default(30_000),
  jwks_timeout: duration(100, MINUTE).default(5000),
  /**
   * Refuse ECDSA signatures with S in the high half. Only for an identity provider known to emit
   * low S: most emit both (auth/jwt/ecdsa-form.ts says why that is not a weakness).
   */
  ecdsa_low_s_only: z.boolean().default(false),
  /** How long a verified token is remembered (0 turns it off); see verified-token-cache.ts. */
  verified_token_cache: duration(0, 5 * MINUTE).default(MINUTE)
}).superRefine((entry, ctx) => {
  const sources = KEY_SOURCES.filter((key) => entry[key] !== undefined)
  if (sources.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `needs exactly one key source (${KEY_SOURCES.join(', ')}); found ${sources.length === 0 ? 'none' : sources.join(', ')}` })
    return
  }
  const symmetric = entry.secret_env !== undefined || entry.secret_file !== undefined
  const algorithms = entry.algorithms ?? (symmetric ? ['HS256'] : DEFAULT_ALGORITHMS)
  const wrong = algorithms.filter((alg) => (SYMMETRIC_ALGORITHMS as readonly string[]).includes(alg) !== symmetric)
  if (wrong.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['algorithms'],
      message: symmetric
        ? `a shared secret signs only HS256, HS384 or HS512; remove ${wrong.join(', ')}`
        : `${wrong.join(', ')} needs a shared secret (secret_env or secret_file); public keys never verify HMAC tokens`
    })
  }
}).transform((entry) => ({
  ...entry,
  algorithms: entry.algorithms ?? (entry.secret_env !== undefined || entry.secret_file !== undefined ? ['HS256'] : [...DEFAULT_ALGORITHMS])
}))

/**
 * `auth.jwt` is one issuer or a list of them; always a list once parsed. One issuer is wrapped
 * before validation (not tried as a union) so that an error names its real key, not "invalid input".
 */
export const jwtSchema = z.preprocess((value: unknown): unknown[] => (Array.isArray(value) ? value as unknown[] : [value]), z.array(jwtIssuerSchema).min(1))
  .superRefine((issuers, ctx) => {
    const seen = new Set<string>()
    issuers.forEach((entry, index) => {
      if (seen.has(entry.issuer)) ctx.addIssue({ code: 'custom', message: `issuer "${entry.issuer}" is listed twice`, path: [index, 'issuer'] })
      seen.add(entry.issuer)
    })
  })

export type JwtIssuerConfig = z.output<typeof jwtIssuerSchema>
