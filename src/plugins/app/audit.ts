import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { auditedParams, clip, pathOf, type AccessEvent } from '../../audit/access-event.ts'
import type { AuditLog } from '../../audit/audit-logger.ts'
import type { Principal } from '../../domain/principal.ts'
import type { Tier } from '../../domain/tier.ts'
import { errorBody, unavailable } from '../../errors.ts'
import { clientAddress } from '../../http/client-address.ts'
import type { AuditReason } from '../../audit-reasons.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** A reason code for the audit line when the request was refused (never sent to clients). */
    auditReason: AuditReason | null
    /**
     * The evidence an evidence link asked for, and whom it claims to be made for: `verified` once
     * its signature checked out, so a forged link is never logged under the name it claims.
     */
    auditEvidence: { id: string, tenant: string, expires: string, principal: string, tier: Tier, verified: boolean } | null
    /** The version a publish stored. */
    auditVersion: { id: string, sha256: string } | null
  }
  interface FastifyInstance {
    /** The audit trail, for lines that belong to no request (client errors, withheld evidence). */
    auditLog: AuditLog
    /** Answers whose audit line could not be written, since start (the metrics read it). */
    auditWriteFailures: () => number
  }
  interface FastifyContextConfig {
    /** The audit event name for this route; `http_request` when unset. */
    audit?: string
  }
}

export interface AuditOptions {
  readonly log: AuditLog
  /** Answer 503 when the line cannot be written (default), or answer anyway and report it. */
  readonly failClosed: boolean
}

/** Headers of the answer that was going out, which a 503 in its place must not carry. */
const ANSWER_HEADERS = ['etag', 'content-length', 'content-disposition', 'repr-digest', 'location', 'last-modified']

/** How soon a client refused for want of an audit trail may try again. */
const AUDIT_RETRY_SECONDS = 5

/**
 * Writes one line per request in onSend, which runs for every response (errors, 404s, 429s and
 * CORS preflights included) before any byte is sent, and holds the response until the line is
 * written, so the access is recorded before the client sees the answer.
 */
export default fp<AuditOptions>(async function audit (app, opts) {
  app.decorate('auditLog', opts.log)
  app.addHook('onClose', async function closeAuditLog () { opts.log.close() })
  let writeFailures = 0
  app.decorate('auditWriteFailures', () => writeFailures)
  app.decorateRequest('auditReason', null)
  app.decorateRequest('auditEvidence', null)
  app.decorateRequest('auditVersion', null)
  app.addHook('onSend', async function writeAuditLine (request, reply, payload) {
    opts.log.access(accessEvent(request, reply))
    try {
      await opts.log.written()
      return payload
    } catch (err) {
      writeFailures += 1
      // The reason goes to the application log (stderr); the next batch retries the file, so
      // cpxd recovers by itself once the log is writable again.
      request.log.error({ reason: (err as Error).message, fail_closed: opts.failClosed }, 'audit line not written')
      if (!opts.failClosed) return payload
      return refuseUnaudited(request, reply, payload)
    }
  })
}, { name: 'audit', dependencies: ['request-id'] })

/** Replaces the answer that could not be audited with a 503: an unrecorded access is not served. */
function refuseUnaudited (request: FastifyRequest, reply: FastifyReply, payload: unknown): string {
  if (typeof (payload as { destroy?: unknown } | null)?.destroy === 'function') (payload as { destroy: () => void }).destroy()
  for (const header of ANSWER_HEADERS) reply.removeHeader(header)
  const error = unavailable(AUDIT_RETRY_SECONDS, 'audit_unavailable', 'the audit log cannot be written; retry later')
  reply.code(error.statusCode).headers(error.headers).header('cache-control', 'no-store').type('application/json; charset=utf-8')
  return JSON.stringify(errorBody(error, request.id))
}

export function accessEvent (request: FastifyRequest, reply: FastifyReply): AccessEvent {
  // A request refused before authentication ran (a 429) still names the caller the rate
  // limiter identified, so ops can see who was throttled.
  const principal = request.principal ?? (request.authResult?.ok === true ? request.authResult.principal : null)
  const params = auditedParams(request.params, request.query)
  const userAgent = request.headers['user-agent']
  const event: AccessEvent = {
    event: eventName(request),
    request_id: request.id,
    client_ip: clientAddress(request),
    user_agent: userAgent === undefined ? null : clip(userAgent),
    principal: principal === null ? null : auditedPrincipal(principal),
    tenant: params.tenant ?? null,
    tier: principal?.tier ?? null,
    method: request.method,
    route: request.routeOptions.url ?? null,
    // As sent: a URL that did not decode was routed elsewhere (http/malformed-url.ts).
    path: pathOf(request.originalUrl),
    params,
    status: reply.statusCode,
    duration_ms: Math.round(reply.elapsedTime * 100) / 100
  }
  if (request.auditReason !== null) event.reason = request.auditReason
  if (request.auditVersion !== null) event.version = request.auditVersion
  const evidence = request.auditEvidence
  if (evidence !== null) {
    event.evidence = { id: evidence.id, tenant: evidence.tenant, expires: evidence.expires }
    if (evidence.verified) {
      // A link is followed without credentials: it names the principal it was made for.
      event.principal = { kind: 'link', id: clip(evidence.principal) }
      event.tier = evidence.tier
    } else {
      event.claimed = { principal: clip(evidence.principal), tier: evidence.tier }
    }
  }
  return event
}

function eventName (request: FastifyRequest): string {
  if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) return 'cors_preflight'
  return request.routeOptions.config.audit ?? 'http_request'
}

function auditedPrincipal (principal: Principal): AccessEvent['principal'] {
  return principal.issuer === undefined
    ? { kind: principal.kind, id: principal.id }
    : { kind: principal.kind, id: principal.id, issuer: principal.issuer }
}
