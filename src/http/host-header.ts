/**
 * RFC 9112 3.2's Host: `uri-host [ ":" port ]` (RFC 3986 3.2.2): an IP literal in brackets, or a
 * registered name or IPv4 address of unreserved characters, sub-delimiters and percent-encoded
 * octets, possibly empty (a target without an authority); then an optional port of digits.
 */
const HOST = /^(?:\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[\w.~!$&'()*+,;=:-]+)\]|(?:[\w.~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*)(?::\d*)?$/

/**
 * Why a request's Host header must be refused, if it must: more than one Host line (Node keeps
 * the first and drops the rest, while a proxy in front may have used another), or a value that is
 * no host. `host` is Node's parsed value; `rawHeaders` the request's header lines as sent.
 */
export function hostHeaderProblem (host: string, rawHeaders: readonly string[]): 'duplicate' | 'invalid' | undefined {
  let lines = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length === 4 && name.toLowerCase() === 'host') lines++
  }
  if (lines > 1) return 'duplicate'
  return HOST.test(host) ? undefined : 'invalid'
}
