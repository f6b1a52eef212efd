import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { ApiKeyEntry } from '../config/schema.ts'

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

interface StoredKey {
  readonly entry: ApiKeyEntry
  readonly digest: Buffer
}

export class ApiKeyVerifier {
  private readonly keys: readonly StoredKey[]

  constructor (entries: readonly ApiKeyEntry[]) {
    this.keys = entries.map((entry) => ({ entry, digest: Buffer.from(entry.hash.slice('sha256:'.length), 'hex') }))
  }

  /**
   * Compares the presented key's digest with every stored digest with timingSafeEqual and no
   * early exit, so the time taken says nothing about which entry, if any, matched.
   */
  verify (presented: string): ApiKeyEntry | undefined {
    if (!API_KEY_PATTERN.test(presented)) return undefined
    const digest = createHash('sha256').update(presented, 'utf8').digest()
    let found: ApiKeyEntry | undefined
    for (const key of this.keys) {
      if (timingSafeEqual(digest, key.digest) && found === undefined) found = key.entry
    }
    return found
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
