import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { AuditLog } from '../audit/audit-logger.ts'
import { badRequest, errorBody, headersTooLarge, requestTimeout, type CpxdError } from '../errors.ts'

/**
 * The security headers helmet sets, for the few answers that Node's HTTP parser sends before
 * Fastify sees a request (oversize headers, malformed requests, request timeouts).
 */
const RAW_SECURITY_HEADERS = [
  "Content-Security-Policy: default-src 'none';frame-ancestors 'none'",
  'X-Content-Type-Options: nosniff',
  'X-Frame-Options: DENY',
  'Referrer-Policy: no-referrer',
  'Strict-Transport-Security: max-age=31536000; includeSubDomains',
  'Cache-Control: no-store'
]

function errorFor (code: string | undefined): CpxdError {
  if (code === 'HPE_HEADER_OVERFLOW') return headersTooLarge()
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return requestTimeout()
  return badRequest('the request is malformed')
}

/** Answers parser-level errors in cpxd's error shape and records them on the audit log. */
export function createClientErrorHandler (audit: AuditLog) {
  return function clientErrorHandler (err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || !socket.writable) return
    const error = errorFor(err.code)
    const requestId = randomUUID()
    audit.logger.info({
      event: 'client_error',
      request_id: requestId,
      client_ip: socket.remoteAddress ?? null,
      status: error.statusCode,
      reason: err.code ?? 'unknown'
    })
    const body = JSON.stringify(errorBody(error, requestId))
    // Like every answer, this one leaves only after its audit line is written.
    void audit.written().catch(() => {}).then(() => socket.end([
      `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? ''}`,
      'Connection: close',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      ...RAW_SECURITY_HEADERS,
      '',
      body
    ].join('\r\n')))
  }
}
