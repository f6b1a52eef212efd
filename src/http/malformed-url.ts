import type { IncomingMessage } from 'node:http'

/**
 * Where a request whose URL does not decode is routed, so that it goes through every hook (rate
 * limit, security headers, audit line) and gets cpxd's 400 (routes/malformed-url.ts) instead of
 * the router's own answer, which echoed the whole URL, link signature included.
 */
export const MALFORMED_URL_PATH = '/.cpxd/malformed-url'

/** Fastify's `rewriteUrl`: the URL as sent, unless its path's percent-encoding is broken. */
export function rewriteMalformedUrl (request: IncomingMessage): string {
  const url = request.url ?? '/'
  const query = url.indexOf('?')
  const path = query === -1 ? url : url.slice(0, query)
  // Only a path with an escape can fail to decode; the common case costs one scan.
  if (!path.includes('%')) return url
  try {
    decodeURIComponent(path)
    return url
  } catch {
    return MALFORMED_URL_PATH
  }
}
