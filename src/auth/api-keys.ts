import { createHash, randomBytes } from 'node:crypto'
import type { ApiKeyEntry } from '../config/schema.ts'
import type { Principal } from '../domain/principal.ts'

/**
 * API keys look like `cpxd_<43 base64url chars>` (256 random bits). The prefix lets secret
 * scanners find leaked keys and lets cpxd tell a key from a JWT in an `Authorization: Bearer`
 * header without trying to parse it.
 */
export const API_KEY_PREFIX = 'cpxd_'
const API_KEY_PATTERN = /^cpxd_[A-Za-z0-9_-]{43}$/

export function generateApiKey (): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url')
}

export function looksLikeApiKey (value: string): boolean {
  return value.startsWith(API_KEY_PREFIX)
}

/** The form stored in the config: the key itself never is. */
export function hashApiKey (key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`
}

export class ApiKeyVerifier {
  /**
   * Each stored digest (lowercase hex, as the config holds it) with its key's principal, built once:
   * every request with the key shares it (it is frozen, its tenants read only).
   */
  private readonly byDigest: ReadonlyMap<string, Principal>

  constructor (entries: readonly ApiKeyEntry[]) {
    const byDigest = new Map<string, Principal>()
    // The config refuses a hash given twice; were one repeated anyway, the first entry would keep it.
    for (const entry of entries) {
      const digest = entry.hash.slice('sha256:'.length)
      if (!byDigest.has(digest)) byDigest.set(digest, Object.freeze({ kind: 'api_key', id: entry.id, tier: entry.tier, tenants: new Set(entry.tenants) }))
    }
    this.byDigest = byDigest
  }

  /**
   * The presented key's principal, found by the key's SHA-256: one lookup, whatever the number of
   * keys. The key itself is never compared with anything. What the lookup's timing could tell is
   * about the digest, which the config holds in the clear and which no one can turn back into a key
   * (256 random bits), so a constant-time comparison would protect nothing. A scan that compared the
   * digest with every stored one took 235 µs a request with 5,000 keys (docs/performance.md).
   */
  verify (presented: string): Principal | undefined {
    if (!API_KEY_PATTERN.test(presented)) return undefined
    return this.byDigest.get(createHash('sha256').update(presented, 'utf8').digest('hex'))
  }
}

/**
 * The hashes of the example config's demo keys, whose plaintext README.md prints for anyone to
 * use. A server that accepts them is open to everyone who read the README, so start-up warns.
 */
export const DEMO_KEY_HASHES: ReadonlySet<string> = new Set([
  'sha256:d56ec7c535da14534c5c9ee0f3bdd8124e3116a7769de93bd6d4e62889bb6794',
  'sha256:518aa08cdf5d4b185112a604fa447cf83353d5b173bae15a645494e125fb51fb'
])
