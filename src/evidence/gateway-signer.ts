import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'
import type { Tier } from '../domain/tier.ts'

/** What a gateway link is bound to; changing any of it breaks the signature. */
export interface GatewayClaims {
  readonly tenant: string
  readonly item: string
  /** `<kind>:<id>`, with the issuer for JWT principals: who the link was made for. */
  readonly principal: string
  readonly tier: Tier
  /** Unix seconds. */
  readonly expires: number
}

/**
 * HMAC-SHA256 over the claims, one per line after a version tag, so no two claim sets share a
 * signing input (none of the fields can contain a newline: they are checked before signing).
 */
export class GatewaySigner {
  /**
   * Imported once: createHmac with a raw Buffer imports the key again on every call, which was
   * 43% of an auditor request that signs 50 links (docs/performance.md).
   */
  private readonly key: KeyObject

  constructor (key: Buffer) {
    this.key = createSecretKey(key)
  }

  sign (claims: GatewayClaims): string {
    return createHmac('sha256', this.key)
      .update(`cpxd-gateway-v1\n${claims.tenant}\n${claims.item}\n${claims.principal}\n${claims.tier}\n${claims.expires}`)
      .digest('base64url')
  }

  /**
   * Compares the text of the signature, not its decoded bytes: base64url decoders ignore the last
   * character's spare bits, so four spellings decode alike, and only the one cpxd writes is accepted.
   */
  verify (claims: GatewayClaims, signature: string): boolean {
    if (/[\n\r]/.test(claims.principal)) return false
    const expected = Buffer.from(this.sign(claims))
    const actual = Buffer.from(signature)
    return actual.length === expected.length && timingSafeEqual(actual, expected)
  }
}
