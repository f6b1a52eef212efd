import { createHash } from 'node:crypto'
import type { Principal } from '../../domain/principal.ts'

interface Entry {
  readonly principal: Principal
  readonly until: number
}

/**
 * Enough for every token a fleet of GRC tools holds at once; beyond it the oldest go first. Oldest
 * by when they were verified, not by when last used: an entry lives a minute or so anyway, and a
 * hit that moved its entry to the end of the Map cost 2-4% of a JWT answer (docs/performance.md).
 */
const DEFAULT_MAX_ENTRIES = 10_000

/**
 * Principals of tokens that passed every check, for as long as they would still pass: a polling
 * client re-sends the same token, and re-verifying its signature was most of a request's cost.
 * Keyed by the SHA-256 of the exact token bytes, so any altered token is a miss. An entry never
 * outlives the token's exp or iat + max_token_age; the caller also caps it at a short window, the
 * longest a key removed from the JWKS keeps authenticating tokens already seen.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>()
  private readonly maxEntries: number

  constructor (maxEntries = DEFAULT_MAX_ENTRIES) {
    this.maxEntries = maxEntries
  }

  get (token: string): Principal | undefined {
    const key = keyOf(token)
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (Date.now() >= entry.until) {
      this.entries.delete(key)
      return undefined
    }
    return entry.principal
  }

  set (token: string, principal: Principal, until: number): void {
    if (until <= Date.now()) return
    const key = keyOf(token)
    this.entries.delete(key)
    this.entries.set(key, { principal, until })
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) this.entries.delete(oldest)
    }
  }

  get size (): number {
    return this.entries.size
  }
}

function keyOf (token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}
