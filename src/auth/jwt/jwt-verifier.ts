import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions, type ProtectedHeaderParameters } from 'jose'
import type { JwtIssuerConfig } from '../../config/jwt-schema.ts'
import { TENANT_ID_PATTERN } from '../../domain/tenant-id.ts'
import type { Principal } from '../../domain/principal.ts'
import { TIERS, tierAllows, type PrincipalTier, type Tier } from '../../domain/tier.ts'
import { tokenForm } from './ecdsa-form.ts'
import type { VerificationKey } from './key-source.ts'
import { JwksUnavailableError } from './remote-jwks.ts'
import { VerifiedTokenCache } from './verified-token-cache.ts'
import { isAuditReason, type AuditReason } from '../../audit-reasons.ts'

export type JwtOutcome =
  | { readonly ok: true, readonly principal: Principal }
  /** `reason` is for the audit line only; `unavailable` means no key could be had (503). */
  | { readonly ok: false, readonly reason: AuditReason, readonly unavailable?: boolean }

/**
 * Header fields that name a key inside the token itself. A token never chooses the key that
 * verifies it, so such tokens are refused outright rather than silently ignored.
 */
const EMBEDDED_KEY_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const

const MAX_SUBJECT_LENGTH = 256

export interface TrustedIssuer {
  readonly config: JwtIssuerConfig
  readonly key: VerificationKey
}

/**
 * Verifies bearer JWTs against the configured issuers with jose. Cheap structural checks run first
 * (no alg none, no crit, no embedded keys, alg on the issuer's allowlist), then jose checks the
 * signature, iss, aud, exp (required), nbf and iat (required, no older than max_token_age), and
 * cpxd refuses an exp further ahead than max_token_age.
 */
export class JwtVerifier {
  private readonly issuers: readonly TrustedIssuer[]
  private readonly byIssuer: ReadonlyMap<string, TrustedIssuer>
  private readonly verified = new VerifiedTokenCache()

  constructor (issuers: readonly TrustedIssuer[]) {
    this.issuers = issuers
    this.byIssuer = new Map(issuers.map((i) => [i.config.issuer, i]))
  }

  async verify (token: string): Promise<JwtOutcome> {
    // Tokens are remembered by their canonical spelling, so a hit on the token as sent needs no more.
    const remembered = this.verified.get(token)
    if (remembered !== undefined) return { ok: true, principal: remembered }
    let header
    try {
      header = decodeProtectedHeader(token)
    } catch {
      return fail('malformed_token')
    }
    // Both spellings of an ECDSA signature are one token to cpxd (ecdsa-form.ts).
    const form = tokenForm(token, typeof header.alg === 'string' ? header.alg : '')
    // An issuer held to low S refuses the other spelling even of a token it saw before.
    if (!form.lowS && this.issuerOf(token)?.config.ecdsa_low_s_only === true) return fail('high_s_signature')
    const known = form.canonical === token ? undefined : this.verified.get(form.canonical)
    if (known !== undefined) return { ok: true, principal: known }
    return this.verifyFully(token, header, form.canonical)
  }

  /** Until the earliest of the cache window, exp, and iat + max_token_age (both required claims). */
  private remember (token: string, principal: Principal, payload: JWTPayload, config: JwtIssuerConfig): void {
    if (config.verified_token_cache === 0) return
    const until = Math.min(Date.now() + config.verified_token_cache, (payload.exp as number) * 1000, (payload.iat as number) * 1000 + config.max_token_age)
    this.verified.set(token, principal, until)
  }

  private async verifyFully (token: string, header: ProtectedHeaderParameters, canonical: string): Promise<JwtOutcome> {
    if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') return fail('alg_none')
    if (header.crit !== undefined) return fail('crit_not_supported')
    if (EMBEDDED_KEY_HEADERS.some((name) => name in header)) return fail('embedded_key_header')

    const trusted = this.issuerOf(token)
    if (trusted === undefined) return fail('unknown_issuer')
    const { config } = trusted
    if (!(config.algorithms as readonly string[]).includes(header.alg)) return fail('alg_not_allowed')

    let payload: JWTPayload
    try {
      payload = (await verifyWith(token, trusted.key, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        clockTolerance: config.clock_tolerance / 1000,
        maxTokenAge: config.max_token_age / 1000,
        requiredClaims: ['exp', 'iat', 'sub']
      })).payload
    } catch (err) {
      if (err instanceof JwksUnavailableError) return { ok: false, reason: 'jwks_unavailable', unavailable: true }
      return fail(reasonFor(err))
    }
    const nowSeconds = Date.now() / 1000
    if ((payload.exp as number) - nowSeconds > (config.max_token_age + config.clock_tolerance) / 1000) return fail('exp_too_far')
    const outcome = principalFrom(payload, config)
    if (outcome.ok) {
      this.remember(canonical, outcome.principal, payload, config)
      // The spelling as sent too, so its next request is one lookup (never for an issuer held to low S).
      if (canonical !== token && !config.ecdsa_low_s_only) this.remember(token, outcome.principal, payload, config)
    }
    return outcome
  }

  /** With one issuer every token goes to it (jose then checks `iss`); with several, `iss` picks. */
  private issuerOf (token: string): TrustedIssuer | undefined {
    if (this.issuers.length === 1) return this.issuers[0]
    try {
      const iss = decodeJwt(token).iss
      return iss === undefined ? undefined : this.byIssuer.get(iss)
    } catch {
      return undefined
    }
  }
}

function verifyWith (token: string, key: VerificationKey, options: JWTVerifyOptions) {
  return typeof key === 'function' ? jwtVerify(token, key, options) : jwtVerify(token, key, options)
}

function principalFrom (payload: JWTPayload, config: JwtIssuerConfig): JwtOutcome {
  const sub = payload.sub
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUBJECT_LENGTH) return fail('bad_sub')
  const claimedTier = payload[config.tier_claim] ?? 'customer'
  // Publishing is no rank above reading: only an issuer that allows it grants it, and none caps to it.
  if (claimedTier === 'publisher' && !config.allow_publisher) return fail('publisher_not_allowed')
  if (typeof claimedTier !== 'string' || !([...TIERS, 'publisher'] as readonly string[]).includes(claimedTier)) return fail('bad_tier_claim')
  // The issuer's max_tier caps what any of its tokens can grant.
  const tier: PrincipalTier = claimedTier === 'publisher' ? 'publisher' : tierAllows(config.max_tier, claimedTier as Tier) ? claimedTier as Tier : config.max_tier
  const tenantsClaim = payload[config.tenants_claim] ?? []
  if (!Array.isArray(tenantsClaim) || !tenantsClaim.every((t) => typeof t === 'string' && TENANT_ID_PATTERN.test(t))) {
    return fail('bad_tenants_claim')
  }
  return {
    ok: true,
    principal: Object.freeze({ kind: 'jwt', id: sub, issuer: config.issuer, tier, tenants: new Set(tenantsClaim as string[]) })
  }
}

function fail (reason: AuditReason): JwtOutcome {
  return { ok: false, reason }
}

/** jose's failure, as a short code for the audit line; the client only sees invalid_token. */
function reasonFor (err: unknown): AuditReason {
  // jose reports an iat older than maxTokenAge as JWTExpired too; the claim tells them apart.
  if (err instanceof errors.JWTExpired) return err.claim === 'iat' ? 'too_old' : 'expired'
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'not_yet_valid'
    if (err.claim === 'iss') return 'wrong_issuer'
    if (err.claim === 'aud') return 'wrong_audience'
    if (err.claim === 'iat' && err.reason === 'check_failed') return 'too_old'
    const reason = `${err.reason === 'missing' ? 'missing' : 'invalid'}_${err.claim}`
    return isAuditReason(reason) ? reason : 'invalid_claim'
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature'
  if (err instanceof errors.JOSEAlgNotAllowed) return 'alg_not_allowed'
  if (err instanceof errors.JWKSNoMatchingKey) return 'unknown_kid'
  if (err instanceof errors.JWKSMultipleMatchingKeys) return 'ambiguous_kid'
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'malformed_token'
  if (err instanceof errors.JOSENotSupported) return 'not_supported'
  return 'verification_failed'
}
