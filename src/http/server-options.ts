import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import { LogController, type FastifyHttpOptions } from 'fastify'
import type { CpxdConfig } from '../config/schema.ts'
import { clientErrorHandler } from './client-error.ts'
import { rewriteMalformedUrl } from './malformed-url.ts'

/** How the HTTP server itself behaves: limits and timeouts from `server`, logging, request ids. */
export function serverOptions (config: Pick<CpxdConfig, 'server' | 'log'>): FastifyHttpOptions<Server> {
  const { server } = config
  return {
    logger: { level: config.log.level, stream: process.stderr },
    // The audit log records every access; the application log keeps to lifecycle and faults.
    logController: new LogController({ disableRequestLogging: true }),
    // Never the client's X-Request-Id: an id in the audit log must name exactly one request.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: trustProxyOption(server.trust_proxy),
    bodyLimit: server.body_limit,
    http: {
      maxHeaderSize: server.max_header_size,
      headersTimeout: server.headers_timeout,
      // Node checks the two timeouts above only this often (30 s by default), which would let a
      // slow client hold a socket for half a minute past its deadline.
      connectionsCheckingInterval: 1000,
      // Refused by cpxd instead (plugins/app/request-checks.ts), so the answer goes through its hooks.
      requireHostHeader: false
    },
    requestTimeout: server.request_timeout,
    keepAliveTimeout: server.keep_alive_timeout,
    connectionTimeout: server.request_timeout * 2,
    handlerTimeout: server.handler_timeout,
    // Any parameter the header size allows reaches validation and gets cpxd's 400: the router's
    // own 414 would skip every hook. No route has a regex parameter for this limit to protect.
    routerOptions: { maxParamLength: server.max_header_size },
    rewriteUrl: rewriteMalformedUrl,
    clientErrorHandler,
    return503OnClosing: true
  }
}

/** A hop count trusts that many proxies nearest to cpxd; a list trusts those addresses. */
function trustProxyOption (setting: CpxdConfig['server']['trust_proxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting
  return setting
}
