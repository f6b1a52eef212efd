import type { IncomingHttpHeaders } from 'node:http'
import type { AuditReason } from '../audit-reasons.ts'

/** Longest credential cpxd looks at; anything longer is refused unread (JWTs included). */
export const MAX_CREDENTIAL_LENGTH = 8192

export type Credential =
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed', readonly reason: AuditReason }
  | { readonly kind: 'api_key' | 'bearer', readonly value: string }

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i

/**
 * Reads the caller's credential from `X-API-Key` or `Authorization: Bearer`. Two credentials at
 * once are refused rather than guessed between, a header sent twice included (Node keeps only the
 * first Authorization, so `rawHeaders`, as sent, is what tells); cookies and query strings are never read, so a
 * credential never lands in a URL or a log of one.
 */
export function readCredential (headers: IncomingHttpHeaders, rawHeaders: readonly string[] = []): Credential {
  const apiKey = headers['x-api-key']
  const authorization = headers.authorization
  if (apiKey === undefined && authorization === undefined) return { kind: 'none' }
  if (apiKey !== undefined && authorization !== undefined) return { kind: 'malformed', reason: 'two_credentials' }
  if (credentialHeaderCount(rawHeaders) > 1) return { kind: 'malformed', reason: 'duplicate_credentials' }
  if (apiKey !== undefined) {
    if (typeof apiKey !== 'string' || apiKey === '') return { kind: 'malformed', reason: 'malformed_api_key' }
    if (apiKey.length > MAX_CREDENTIAL_LENGTH) return { kind: 'malformed', reason: 'credential_too_long' }
    return { kind: 'api_key', value: apiKey }
  }
  const header = authorization as string
  if (header.length > MAX_CREDENTIAL_LENGTH + 7) return { kind: 'malformed', reason: 'credential_too_long' }
  const match = BEARER.exec(header)
  if (match === null) return { kind: 'malformed', reason: 'not_bearer' }
  return { kind: 'bearer', value: match[1] as string }
}

/** How many credential headers were sent, counting repeats. */
function credentialHeaderCount (rawHeaders: readonly string[]): number {
  let count = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase()
    if (name === 'authorization' || name === 'x-api-key') count++
  }
  return count
}
