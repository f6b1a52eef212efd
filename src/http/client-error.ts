import { randomUUID } from 'node:crypto'
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { badRequest, connectNotAllowed, errorBody, headersTooLarge, requestTimeout, type CpxdError } from '../errors.ts'
import type { AuditReason } from '../audit-reasons.ts'

/** Node's parser errors cpxd names on the audit line; any other is a malformed request. */
function reasonFor (code: string | undefined): AuditReason {
  return code === 'HPE_HEADER_OVERFLOW' || code === 'ERR_HTTP_REQUEST_TIMEOUT' ? code : 'malformed_request'
}

function errorFor (code: string | undefined): CpxdError {
  if (code === 'HPE_HEADER_OVERFLOW') return headersTooLarge()
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return requestTimeout()
  return badRequest('the request is malformed')
}

/**
 * Answers the errors Node's HTTP parser raises before Fastify sees a request (oversize headers,
 * malformed requests, request timeouts) in cpxd's error shape, with the same security headers as
 * every other answer, and records them on the audit log. Fastify calls it bound to the root
 * instance, whose `auditLog` and `securityHeaders` the audit and helmet plugins provide.
 */
export function clientErrorHandler (this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return
  // A TLS handshake that failed or ran out of time (Node's HTTPS server passes those on here):
  // there is no HTTP on the connection to answer, and an answer would wait for the handshake.
  if (isTlsError(err.code)) {
    socket.destroy()
    return
  }
  // Answers to requests pipelined before the bad one go out first: the client gets every answer
  // the audit log records, in order, and only then this one.
  afterPendingAnswers(socket, () => { answerClientError(this, err, socket) })
}

function isTlsError (code: string | undefined): boolean {
  return code !== undefined && (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))
}

function answerClientError (app: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  answerRaw(app, socket, errorFor(err.code), reasonFor(err.code), err.code ?? 'unknown')
}

/**
 * A CONNECT request, which Node hands over with its bare socket: cpxd's 405, audited like the
 * parser's refusals, after the answers to any requests pipelined before it; then the connection
 * closes, since nothing after a CONNECT line is HTTP that cpxd reads.
 */
export function refuseConnect (app: FastifyInstance, socket: Socket): void {
  socket.on('error', () => {})
  // Node hands the socket over with no timeout acting on it: a client that never closed its side
  // would hold it for good. It gets as long as an idle keep-alive connection.
  socket.setTimeout(app.server.keepAliveTimeout, () => { socket.destroy() })
  afterPendingAnswers(socket, () => { answerRaw(app, socket, connectNotAllowed(), 'connect_method', 'CONNECT') })
}

/** An answer written straight to the socket, in cpxd's shape and with its audit line, then closed. */
function answerRaw (app: FastifyInstance, socket: Socket, error: CpxdError, reason: AuditReason, detail: string): void {
  if (!socket.writable) return
  const requestId = randomUUID()
  const audit = app.auditLog
  audit.logger.info({
    event: 'client_error',
    request_id: requestId,
    client_ip: socket.remoteAddress ?? null,
    status: error.statusCode,
    reason,
    detail
  })
  const body = JSON.stringify(errorBody(error, requestId))
  const set = 'encrypted' in socket && socket.encrypted === true ? app.securityHeaders.https : app.securityHeaders.plain
  const headers = Object.entries({ ...set, ...error.headers }).map(([name, value]) => `${titleCase(name)}: ${value}`)
  // Like every answer, this one leaves only after its audit line is written.
  void audit.written().catch(() => {}).then(() => socket.end([
    `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    ...headers,
    'Cache-Control: no-store',
    '',
    body
  ].join('\r\n')))
}

/** `content-security-policy` as `Content-Security-Policy`, the way raw HTTP answers spell names. */
function titleCase (name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase())
}

/** Per connection: answers begun and not yet done, and what waits for them. */
const pendingAnswers = new WeakMap<Socket, { count: number, waiting: Array<() => void> }>()

/**
 * Counts an answer on its connection until the response closes (sent, or given up). Called from
 * the server's own `request` event, synchronously, so a request pipelined just before a bad one is
 * counted before the parser reaches the bad one.
 */
export function trackAnswer (socket: Socket, response: ServerResponse): void {
  let pending = pendingAnswers.get(socket)
  if (pending === undefined) {
    pending = { count: 0, waiting: [] }
    pendingAnswers.set(socket, pending)
  }
  const entry = pending
  entry.count++
  response.once('close', () => {
    entry.count--
    if (entry.count === 0) for (const run of entry.waiting.splice(0)) run()
  })
}

function afterPendingAnswers (socket: Socket, run: () => void): void {
  const pending = pendingAnswers.get(socket)
  if (pending === undefined || pending.count === 0) run()
  else pending.waiting.push(run)
}
