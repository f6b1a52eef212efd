/**
 * Every error cpxd can raise while serving a request, declared once with its code and status,
 * after fastify core's lib/errors.js. The root error handler renders them as
 * `{"error": {"code", "message", "request_id"}}`; docs/errors.md lists each code and a test
 * keeps the two in step.
 */
import type { AuditReason } from './audit-reasons.ts'

export type ErrorHeaders = Readonly<Record<string, string>>

export class CpxdError extends Error {
  readonly code: string
  readonly statusCode: number
  readonly headers: ErrorHeaders
  /** Why, for the audit line only: never sent to the client. */
  readonly reason: AuditReason | undefined

  constructor (code: string, statusCode: number, message: string, headers: ErrorHeaders = {}, reason?: AuditReason) {
    super(message)
    this.name = 'CpxdError'
    this.code = code
    this.statusCode = statusCode
    this.headers = headers
    this.reason = reason
  }
}

/** Realm sent in every challenge so a client knows which server asked. */
const REALM = 'cpxd'

export const ERROR_CODES = {
  CPXD_ERR_BAD_REQUEST: 400,
  CPXD_ERR_UNAUTHENTICATED: 401,
  CPXD_ERR_FORBIDDEN: 403,
  CPXD_ERR_NOT_FOUND: 404,
  CPXD_ERR_METHOD_NOT_ALLOWED: 405,
  CPXD_ERR_CONFLICT: 409,
  CPXD_ERR_REQUEST_TIMEOUT: 408,
  CPXD_ERR_LINK_EXPIRED: 410,
  CPXD_ERR_BODY_TOO_LARGE: 413,
  CPXD_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  CPXD_ERR_EXPECTATION_FAILED: 417,
  CPXD_ERR_RATE_LIMITED: 429,
  CPXD_ERR_HEADERS_TOO_LARGE: 431,
  CPXD_ERR_INTERNAL: 500,
  CPXD_ERR_UNAVAILABLE: 503
} as const

export type ErrorCode = keyof typeof ERROR_CODES

function make (code: ErrorCode, message: string, headers?: ErrorHeaders, reason?: AuditReason): CpxdError {
  return new CpxdError(code, ERROR_CODES[code], message, headers, reason)
}

export function badRequest (message: string, reason?: AuditReason): CpxdError {
  return make('CPXD_ERR_BAD_REQUEST', message, {}, reason)
}

/**
 * 401 with an RFC 6750 challenge. `reason` is a short code for the audit log (missing_credentials,
 * unknown_api_key, ...); the client only ever sees the RFC's error code.
 */
export function unauthenticated (reason: AuditReason, presented: boolean): CpxdError {
  const challenge = presented
    ? `Bearer realm="${REALM}", error="invalid_token"`
    : `Bearer realm="${REALM}"`
  const message = presented ? 'the credentials presented are not valid' : 'credentials are required'
  return make('CPXD_ERR_UNAUTHENTICATED', message, { 'www-authenticate': challenge }, reason)
}

/** Same body whether or not the tenant exists, so a caller cannot enumerate tenants. */
export function forbidden (reason: AuditReason, message = 'you may not see this posture'): CpxdError {
  return make('CPXD_ERR_FORBIDDEN', message,
    { 'www-authenticate': `Bearer realm="${REALM}", error="insufficient_scope"` }, reason)
}

export function notFound (message = 'not found'): CpxdError {
  return make('CPXD_ERR_NOT_FOUND', message)
}

/** A known path asked with a method it does not take; `Allow` names those it does. */
export function methodNotAllowed (method: string, allowed: readonly string[]): CpxdError {
  return make('CPXD_ERR_METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed.join(', ')}`, { allow: allowed.join(', ') }, 'method_not_allowed')
}

/** cpxd is an origin server, not a proxy: no resource of its takes CONNECT, so `Allow` is empty. */
export function connectNotAllowed (): CpxdError {
  return make('CPXD_ERR_METHOD_NOT_ALLOWED', 'cpxd is not a proxy: CONNECT is not allowed', { allow: '' }, 'connect_method')
}

/** An evidence link that was altered, or made for another tenant or item. */
export function invalidLink (): CpxdError {
  return make('CPXD_ERR_FORBIDDEN', 'this evidence link is not valid', {}, 'bad_link_signature')
}

/** Only for a correctly signed link: a forged one is a 403 and learns nothing about expiry. */
export function linkExpired (): CpxdError {
  return make('CPXD_ERR_LINK_EXPIRED', 'this evidence link has expired; fetch the posture again for a fresh one', {}, 'link_expired')
}

/** Without a configured gateway key, links from before a restart cannot be told from forged ones. */
export function linkFromBeforeRestart (): CpxdError {
  return make('CPXD_ERR_LINK_EXPIRED', 'this evidence link is no longer valid (the server has restarted); fetch the posture again for a fresh one', {}, 'link_from_before_restart')
}

export function bodyTooLarge (): CpxdError {
  return make('CPXD_ERR_BODY_TOO_LARGE', 'request body is too large')
}

/** An `Idempotency-Key` used before for a different request. */
export function conflict (message: string): CpxdError {
  return make('CPXD_ERR_CONFLICT', message)
}

export function unsupportedMediaType (): CpxdError {
  return make('CPXD_ERR_UNSUPPORTED_MEDIA_TYPE', 'unsupported content type')
}

/** An `Expect` header other than `100-continue` (RFC 9110 10.1.1). */
export function expectationFailed (): CpxdError {
  return make('CPXD_ERR_EXPECTATION_FAILED', 'cpxd meets no expectation but 100-continue', {}, 'unsupported_expectation')
}

export function rateLimited (retryAfterSeconds: number, reason?: AuditReason): CpxdError {
  return make('CPXD_ERR_RATE_LIMITED', 'too many requests, retry later',
    { 'retry-after': String(retryAfterSeconds) }, reason)
}

export function requestTimeout (): CpxdError {
  return make('CPXD_ERR_REQUEST_TIMEOUT', 'the request took too long to arrive')
}

export function headersTooLarge (): CpxdError {
  return make('CPXD_ERR_HEADERS_TOO_LARGE', 'request headers are too large')
}

export function internal (): CpxdError {
  return make('CPXD_ERR_INTERNAL', 'internal error')
}

export function unavailable (retryAfterSeconds: number, reason: AuditReason, message = 'the service is not available, retry later'): CpxdError {
  return make('CPXD_ERR_UNAVAILABLE', message, { 'retry-after': String(retryAfterSeconds) }, reason)
}

/** How long a client (or a probe, /readyz) is told to wait while the first posture version loads. */
export const POSTURE_LOADING_RETRY_SECONDS = 5

/** Before the first posture version is live (cpxd listens while evidence is hashed). */
export function postureNotLoaded (): CpxdError {
  return unavailable(POSTURE_LOADING_RETRY_SECONDS, 'posture_not_loaded', 'posture is not loaded yet, retry later')
}

/** Shed before any work is done, so the requests already accepted are answered. */
export function overloaded (retryAfterSeconds: number): CpxdError {
  return unavailable(retryAfterSeconds, 'overloaded', 'the server is overloaded, retry later')
}

/** The spec prefers unavailable to stale: the vendor has to publish a current posture. */
export function postureStale (): CpxdError {
  return unavailable(300, 'posture_stale', 'this posture is out of date and is not served until a current one is published; retry later')
}

export interface ErrorBody {
  error: { code: string, message: string, request_id: string }
}

export function errorBody (err: CpxdError, requestId: string): ErrorBody {
  return { error: { code: err.code, message: err.message, request_id: requestId } }
}
