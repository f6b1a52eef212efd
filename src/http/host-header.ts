import type { IncomingMessage } from 'node:http'

/**
 * RFC 9112 3.2's Host: `uri-host [ ":" port ]` (RFC 3986 3.2.2): an IP literal in brackets, or a
 * registered name or IPv4 address of unreserved characters, sub-delimiters and percent-encoded
 * octets, possibly empty (a target without an authority); then an optional port of digits.
 */
const HOST = /^(?:\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[\w.~!$&'()*+,;=:-]+)\]|(?:[\w.~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*)(?::\d*)?$/

/** Why RFC 9112 3.2 says a request must get 400 for its Host header. */
export type HostProblem = 'missing' | 'duplicate' | 'invalid'

/**
 * What RFC 9112 3.2 refuses: HTTP/1.1 without Host, more than one Host line (Node keeps the first
 * and drops the rest, while a proxy in front may have used another), or a value that is no host.
 */
export function hostHeaderProblem (request: IncomingMessage): HostProblem | undefined {
  const host = request.headers.host
  if (host === undefined) return request.httpVersionMajor === 1 && request.httpVersionMinor >= 1 ? 'missing' : undefined
  const raw = request.rawHeaders
  let lines = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === 4 && name.toLowerCase() === 'host') lines++
  }
  if (lines > 1) return 'duplicate'
  return HOST.test(host) ? undefined : 'invalid'
}
