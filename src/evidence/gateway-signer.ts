import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'
import type { Tier } from '../domain/tier.ts'

/**
 * What every gateway link of one answer carries: who it was made for, at which tier, over which
 * tenant, until when. It names no item: at download cpxd checks that the item is one this tier
 * sees in the current posture, which the caller could have asked for anyway, and which makes
 * withdrawing an item from a tier take effect at once.
 */
export interface GatewayGrant {
  readonly tenant: string
  /** `<kind>:<id>`, with the issuer for JWT principals: who the link was made for. */
  readonly principal: string
  readonly tier: Tier
  /** Unix seconds. */
  readonly expires: number
}

/**
 * HMAC-SHA256 over the grant, one field per line after a version tag, so no two grants share a
 * signing input (none of the fields can contain a newline: they are checked before signing). One
 * MAC per answer, not per link: it was the largest cost of an answer with 50 links.
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

  sign (grant: GatewayGrant): string {
    return createHmac('sha256', this.key)
      .update(`cpxd-gateway-v2\n${grant.tenant}\n${grant.principal}\n${grant.tier}\n${grant.expires}`)
      .digest('base64url')
  }

  /**
   * Compares the text of the signature, not its decoded bytes: base64url decoders ignore the last
   * character's spare bits, so four spellings decode alike, and only the one cpxd writes is accepted.
   */
  verify (grant: GatewayGrant, signature: string): boolean {
    if (/[\n\r]/.test(grant.principal)) return false
    const expected = Buffer.from(this.sign(grant))
    const actual = Buffer.from(signature)
    return actual.length === expected.length && timingSafeEqual(actual, expected)
  }
}
