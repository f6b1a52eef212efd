import { isIPv4, isIPv6 } from 'node:net'

/**
 * The rate-limit bucket of a client address. An IPv4 address is its own bucket; an IPv6 client
 * is counted by its /64, because one host is usually handed a whole /64 and could otherwise walk
 * through it for a fresh bucket on every request. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is IPv4.
 */
export function addressBucket (ip: string): string {
  if (isIPv4(ip)) return ip
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1]
  if (mapped !== undefined && isIPv4(mapped)) return mapped
  if (!isIPv6(ip)) return ip
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros (zone index dropped). */
function expandIPv6 (ip: string): string[] {
  const address = ip.split('%')[0] as string
  const [head = '', tail] = address.split('::')
  const parse = (part: string) => (part === '' ? [] : part.split(':'))
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return groups.map((group) => (group.includes('.') ? group : Number.parseInt(group, 16).toString(16)))
}
