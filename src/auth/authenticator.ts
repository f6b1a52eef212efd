import type { IncomingHttpHeaders } from 'node:http'
import type { ApiKeyEntry } from '../config/schema.ts'
import { ApiKeyVerifier, looksLikeApiKey } from './api-keys.ts'
import { readCredential } from './credentials.ts'
import { ANONYMOUS, type Principal } from './principal.ts'

export type AuthResult =
  | { readonly ok: true, readonly principal: Principal }
  /** `presented`: a credential was sent (invalid_token) rather than none at all. */
  | { readonly ok: false, readonly reason: string, readonly presented: boolean }

/**
 * Turns request headers into a principal. It never throws and never looks at anything but the
 * credential headers; callers decide whether anonymous is good enough for their route.
 */
export class Authenticator {
  private readonly apiKeys: ApiKeyVerifier

  constructor (apiKeys: readonly ApiKeyEntry[]) {
    this.apiKeys = new ApiKeyVerifier(apiKeys)
  }

  authenticate (headers: IncomingHttpHeaders): AuthResult {
    const credential = readCredential(headers)
    if (credential.kind === 'none') return { ok: true, principal: ANONYMOUS }
    if (credential.kind === 'malformed') return { ok: false, reason: credential.reason, presented: true }
    if (credential.kind === 'bearer' && !looksLikeApiKey(credential.value)) {
      return { ok: false, reason: 'jwt_not_configured', presented: true }
    }
    const entry = this.apiKeys.verify(credential.value)
    if (entry === undefined) return { ok: false, reason: 'unknown_api_key', presented: true }
    return {
      ok: true,
      principal: Object.freeze({ kind: 'api_key', id: entry.id, tier: entry.tier, tenants: new Set(entry.tenants) })
    }
  }
}
