import { isDeepStrictEqual } from 'node:util'
import type { CpxdConfig } from './schema.ts'

/**
 * Settings a running process cannot take on a reload: the listening socket and its limits, the
 * audit chain's file and key, the size of the rate limiter's table, and the overload limits. Everything else (API keys,
 * JWT issuers, CORS, rate limits, evidence, posture, TLS files, log level) is reloaded.
 */
const RESTART_ONLY: ReadonlyArray<readonly string[]> = [
  ['server', 'host'],
  ['server', 'port'],
  ['server', 'trust_proxy'],
  ['server', 'body_limit'],
  ['server', 'max_header_size'],
  ['server', 'request_timeout'],
  ['server', 'headers_timeout'],
  ['server', 'keep_alive_timeout'],
  ['server', 'max_connections'],
  ['server', 'handler_timeout'],
  ['server', 'http_redirect_port'],
  ['server', 'shutdown_timeout'],
  ['server', 'pid_file'],
  ['public', 'max_age'],
  ['cors', 'max_age'],
  ['posture', 'store', 'kind'],
  ['posture', 'store', 'url_env'],
  ['rate_limit', 'clients'],
  ['rate_limit', 'redis_url'],
  ['rate_limit', 'redis_url_env'],
  ['rate_limit', 'on_store_error'],
  ['overload'],
  ['log', 'pretty'],
  ['audit']
]

/** The dotted names of restart-only settings that differ between two configs. */
export function restartOnlyChanges (running: CpxdConfig, next: CpxdConfig): string[] {
  const changed = RESTART_ONLY.filter((path) => !isDeepStrictEqual(valueAt(running, path), valueAt(next, path))).map((path) => path.join('.'))
  // Turning HTTPS on or off changes the kind of listener; other certificate files are reloaded.
  if ((running.server.tls === undefined) !== (next.server.tls === undefined)) changed.push('server.tls')
  return changed
}

function valueAt (config: CpxdConfig, path: readonly string[]): unknown {
  let node: unknown = config
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key]
  return node
}
