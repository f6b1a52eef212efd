import { constants, randomUUID } from 'node:crypto'
import type { Server, ServerOptions } from 'node:http'
import { createRequire } from 'node:module'
import type { SecureContextOptions } from 'node:tls'
import { LogController, type FastifyHttpOptions } from 'fastify'
import type { CpxdConfig } from '../config/schema.ts'
import type { TlsPair } from '../config/secrets.ts'
import { clientErrorHandler } from './client-error.ts'
import { rewriteMalformedUrl } from './malformed-url.ts'

/**
 * Mozilla's "intermediate" TLS 1.2 suites (TLS 1.3 has its own, all good): forward secrecy and
 * AEAD only. Clients choose among them, as Mozilla advises when every suite is strong.
 */
const INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-CHACHA20-POLY1305'
].join(':')

/** The listener's TLS settings: TLS 1.2 at least, no compression, no renegotiation, HTTP/1.1 only. */
export function tlsOptions (pair: TlsPair): SecureContextOptions & { ALPNProtocols: string[], honorCipherOrder: boolean } {
  return {
    cert: pair.cert,
    key: pair.key,
    minVersion: 'TLSv1.2',
    ciphers: INTERMEDIATE_CIPHERS,
    honorCipherOrder: false,
    secureOptions: constants.SSL_OP_NO_COMPRESSION | constants.SSL_OP_NO_RENEGOTIATION,
    ALPNProtocols: ['http/1.1']
  }
}

/**
 * Log lines a person reads in a terminal, written synchronously to stderr like the JSON ones.
 * Loaded only when asked for: production logs are JSON, for collectors.
 */
function prettyStream (): NodeJS.WritableStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => NodeJS.WritableStream
  return pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
}

/**
 * Node's own limits on a listener, from `server`: the API's and the plain listener that sends
 * clients to HTTPS (plugins/app/http-redirect.ts) alike.
 */
export function nodeHttpLimits (server: CpxdConfig['server']): ServerOptions {
  return {
    maxHeaderSize: server.max_header_size,
    headersTimeout: server.headers_timeout,
    // Node checks the two timeouts above only this often (30 s by default), which would let a
    // slow client hold a socket for half a minute past its deadline.
    connectionsCheckingInterval: 1000,
    // Refused by cpxd instead (plugins/app/request-checks.ts, http-redirect.ts), with its answer.
    requireHostHeader: false
  }
}

/**
 * Node hands JavaScript only the first 2,000 header lines of a request and drops the rest without
 * a word, so a second Host or credential could hide behind 2,000 others. Every line is kept: their
 * bytes are already bounded by `server.max_header_size`.
 */
export function keepEveryHeaderLine (server: { maxHeadersCount: number | null }): void {
  server.maxHeadersCount = 0
}

/** How long a connection may sit idle before it is closed, whatever it is waiting for. */
export function idleConnectionTimeout (server: CpxdConfig['server']): number {
  return server.request_timeout * 2
}

/** How the HTTP server itself behaves: limits and timeouts from `server`, logging, request ids. */
export function serverOptions (config: Pick<CpxdConfig, 'server' | 'log'>, tls?: TlsPair): FastifyHttpOptions<Server> {
  const { server } = config
  return {
    // Fastify hands an HTTPS server only these options, never `http` below, so they carry Node's
    // limits too. Node gives a TLS handshake two minutes by default; a client gets as long for its
    // handshake as for its headers, so connections that never finish one cannot hold every slot.
    ...(tls === undefined ? {} : { https: { ...nodeHttpLimits(server), ...tlsOptions(tls), handshakeTimeout: server.headers_timeout } }),
    logger: { level: config.log.level, stream: (config.log.pretty ?? process.stderr.isTTY) ? prettyStream() : process.stderr },
    // The audit log records every access; the application log keeps to lifecycle and faults.
    logController: new LogController({ disableRequestLogging: true }),
    // Never the client's X-Request-Id: an id in the audit log must name exactly one request.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: trustProxyOption(server.trust_proxy),
    bodyLimit: server.body_limit,
    http: nodeHttpLimits(server),
    requestTimeout: server.request_timeout,
    keepAliveTimeout: server.keep_alive_timeout,
    connectionTimeout: idleConnectionTimeout(server),
    // Any parameter the header size allows reaches validation and gets cpxd's 400: the router's
    // own 414 would skip every hook. No route has a regex parameter for this limit to protect.
    routerOptions: { maxParamLength: server.max_header_size },
    rewriteUrl: rewriteMalformedUrl,
    clientErrorHandler,
    // Its 503 skips every hook (no request id, headers or audit line); plugins/app/draining.ts answers instead.
    return503OnClosing: false
  }
}

/** A hop count trusts that many proxies nearest to cpxd; a list trusts those addresses. */
function trustProxyOption (setting: CpxdConfig['server']['trust_proxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting
  return setting
}
