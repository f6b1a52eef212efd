import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { CpxdConfig } from '../../config/schema.ts'
import { clip, pathOf } from '../../audit/access-event.ts'
import { badRequest, errorBody } from '../../errors.ts'
import { clientErrorHandler, refuseConnect, trackAnswer } from '../../http/client-error.ts'
import { limitConnections } from '../../http/connection-limit.ts'
import { hostHeaderProblem } from '../../http/host-header.ts'
import { idleConnectionTimeout, keepEveryHeaderLine, nodeHttpLimits } from '../../http/server-options.ts'

export interface HttpRedirectOptions {
  readonly server: CpxdConfig['server']
}

/** A Host header worth redirecting to: a DNS name or an IP address, with an optional port. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\]|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?$/i

/**
 * With HTTPS in the process, `server.http_redirect_port` opens a plain listener that only sends
 * clients to the same path and query over HTTPS (308, so the method stays) and answers
 * `/healthz`. Each answer is audited like any other (`http_redirect`), carries the security
 * headers (no HSTS: it is not HTTPS) and never a body from elsewhere. The listener keeps the API's
 * limits and timeouts, and what its parser refuses, or a CONNECT, is answered as on the API's.
 */
export default fp<HttpRedirectOptions>(async function httpRedirect (app, opts) {
  let listener: Server | null = null
  const port = opts.server.http_redirect_port
  if (port === undefined || opts.server.tls === undefined) return
  app.addHook('onListen', async function openRedirectListener () {
    const server = createServer({ ...nodeHttpLimits(opts.server), requestTimeout: opts.server.request_timeout, keepAliveTimeout: opts.server.keep_alive_timeout }, (request, response) => {
      trackAnswer(request.socket, response)
      answer(app, opts.server, request, response)
    })
    server.setTimeout(idleConnectionTimeout(opts.server))
    keepEveryHeaderLine(server)
    limitConnections(server, opts.server.max_connections, app.log)
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => { clientErrorHandler.call(app, err, socket) })
    server.on('connect', (_request: IncomingMessage, socket: Socket) => { refuseConnect(app, socket) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, opts.server.host, () => { resolve() })
    })
    listener = server
  })
  app.addHook('onClose', async function closeRedirectListener () {
    const server = listener
    if (server !== null) await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
  })
}, { name: 'http-redirect', dependencies: ['audit', 'helmet'] })

function answer (app: FastifyInstance, server: CpxdConfig['server'], request: IncomingMessage, response: ServerResponse): void {
  const requestId = randomUUID()
  const url = request.url ?? '/'
  const refused = request.httpVersionMajor !== 1 || hostHeaderProblem(request) !== undefined
  const target = refused ? undefined : redirectTarget(app, server, request.headers.host, url)
  const status = refused ? 400 : pathOf(url) === '/healthz' ? 200 : target === undefined ? 400 : 308
  app.auditLog.logger.info({
    event: 'http_redirect',
    request_id: requestId,
    client_ip: request.socket.remoteAddress ?? null,
    user_agent: request.headers['user-agent'] === undefined ? null : clip(request.headers['user-agent']),
    method: request.method ?? null,
    path: pathOf(url),
    status
  })
  response.setHeaders(new Map(Object.entries({ ...app.securityHeaders.plain, 'x-request-id': requestId, 'cache-control': 'no-store' })))
  const body = status === 200
    ? '{"status":"ok"}'
    : status === 400 ? JSON.stringify(errorBody(badRequest('the Host header is missing or not a host name'), requestId)) : ''
  const headers = status === 308
    ? { location: target, 'content-length': '0' }
    : { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) }
  // Like every answer, this one leaves only after its audit line is written.
  void app.auditLog.written().catch(() => {}).then(() => { response.writeHead(status, headers).end(body) })
}

/** `https://` + the public URL's authority, else the Host header's host with the HTTPS port. */
function redirectTarget (app: FastifyInstance, server: CpxdConfig['server'], host: string | undefined, url: string): string | undefined {
  if (server.public_url !== undefined) return `${new URL(server.public_url).origin.replace(/^http:/, 'https:')}${url}`
  if (host === undefined || !HOST.test(host)) return undefined
  const name = host.replace(/:\d{1,5}$/, '')
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : server.port
  return `https://${name}${port === 443 ? '' : `:${port}`}${url}`
}
