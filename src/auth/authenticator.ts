import type { IncomingHttpHeaders } from 'node:http'
import type { ApiKeyEntry } from '../config/schema.ts'
import { ApiKeyVerifier, looksLikeApiKey } from './api-keys.ts'
import { readCredential } from './credentials.ts'
import type { JwtVerifier } from './jwt/jwt-verifier.ts'
import { ANONYMOUS, type Principal } from '../domain/principal.ts'
import type { AuditReason } from '../audit-reasons.ts'

export type AuthResult =
  | { readonly ok: true, readonly principal: Principal }
  /**
   * `presented`: a credential was sent (invalid_token) rather than none at all.
   * `unavailable`: the credential could not be checked (no JWT key to be had): 503, not 401.
   */
  | { readonly ok: false, readonly reason: AuditReason, readonly presented: boolean, readonly unavailable?: boolean }

/**
 * Turns request headers into a principal. It never throws and never looks at anything but the
 * credential headers; callers decide whether anonymous is good enough for their route.
 */
export class Authenticator {
  private readonly apiKeys: ApiKeyVerifier
  private readonly jwt: JwtVerifier | undefined

  constructor (apiKeys: readonly ApiKeyEntry[], jwt?: JwtVerifier) {
    this.apiKeys = new ApiKeyVerifier(apiKeys)
    this.jwt = jwt
  }

  /** `rawHeaders` as sent (IncomingMessage.rawHeaders), to catch a credential header sent twice. */
  async authenticate (headers: IncomingHttpHeaders, rawHeaders?: readonly string[]): Promise<AuthResult> {
    const credential = readCredential(headers, rawHeaders)
    if (credential.kind === 'none') return { ok: true, principal: ANONYMOUS }
    if (credential.kind === 'malformed') return { ok: false, reason: credential.reason, presented: true }
    // A bearer value is an API key by its prefix, anything else is a JWT.
    if (credential.kind === 'bearer' && !looksLikeApiKey(credential.value)) {
      if (this.jwt === undefined) return { ok: false, reason: 'jwt_not_configured', presented: true }
      const outcome = await this.jwt.verify(credential.value)
      return outcome.ok ? outcome : { ok: false, reason: outcome.reason, presented: true, unavailable: outcome.unavailable }
    }
    const principal = this.apiKeys.verify(credential.value)
    return principal === undefined ? { ok: false, reason: 'unknown_api_key', presented: true } : { ok: true, principal }
  }
}
