import { readsPosture } from '../domain/tier.ts'
import { principalLabel, type Principal } from '../domain/principal.ts'
import { evidenceKey, type EvidenceIndex } from './evidence-index.ts'
import type { GatewaySigner } from './gateway-signer.ts'

/** One request's link for an evidence item: fresh, expiring, bound to the caller. */
export interface MintedLink {
  url: string
  expires: string
  /**
   * Set when the URL is known to match PLAIN_URL, so an answer writes it into JSON or YAML as it
   * is, without checking it again: gateway links, whose parts are checked once per answer.
   */
  urlIsPlain?: boolean
}

/**
 * A URL that needs no escaping in a JSON string and no quoting as a YAML scalar: a scheme and a
 * colon (so no YAML reader takes it for a boolean, a null or a number), then only printable ASCII
 * other than space, `"` and `\` (so nothing to escape, and no `: ` or ` #` for YAML to act on).
 */
export const PLAIN_URL = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21\x23-\x5b\x5d-\x7e]*$/

/** Gateway links are made on the spot; presigned storage URLs may need to await credentials. */
export type MintLink = (itemId: string) => MintedLink | Promise<MintedLink>

/**
 * Evidence links (every item for auditors, public items for every tier), made fresh for every
 * request and never shared between principals: for a `direct`
 * backend a presigned storage URL, otherwise a link to cpxd's gateway (`/evidence/<tenant>/<item>`)
 * carrying the answer's grant, signed for one principal, tenant, tier and expiry.
 */
export class EvidenceLinks {
  private readonly signer: GatewaySigner
  /** Asked at mint time: without a configured public URL it depends on the port actually bound. */
  private readonly baseUrl: () => string
  private readonly lifetimeMs: number

  constructor (signer: GatewaySigner, baseUrl: () => string, lifetimeMs: number) {
    this.signer = signer
    this.baseUrl = baseUrl
    this.lifetimeMs = lifetimeMs
  }

  /**
   * A minter for one request, over the evidence of the posture version that answers it: every
   * link in one answer shares its expiry.
   */
  minterFor (evidence: EvidenceIndex, principal: Principal, tenant: string, now = Date.now()): MintLink {
    const expires = Math.floor((now + this.lifetimeMs) / 1000)
    const expiresIso = new Date(expires * 1000).toISOString()
    const tier = principal.tier
    // Operators and publishers read no posture, so no answer of theirs holds a link.
    if (!readsPosture(tier)) throw new Error(`evidence links are never made for ${tier}s`)
    const label = principalLabel(principal)
    const prefix = `${this.baseUrl().replace(/\/+$/, '')}/evidence/${tenant}/`
    // Every gateway link of this answer carries one grant; made on the first such link, since an
    // answer whose links are all presigned needs none.
    let query: string | undefined
    let urlIsPlain = false
    const seconds = Math.floor(this.lifetimeMs / 1000)
    return (item) => {
      const indexed = evidence.items.get(evidenceKey(tenant, item))
      if (indexed?.backend.delivery === 'direct' && indexed.backend.presign !== undefined) {
        const url = indexed.backend.presign(indexed.object, seconds)
        return typeof url === 'string' ? { url, expires: expiresIso } : url.then((signed) => ({ url: signed, expires: expiresIso }))
      }
      if (query === undefined) {
        query = `?p=${encodeURIComponent(label)}&t=${tier}&e=${expires}&s=${this.signer.sign({ tenant, principal: label, tier, expires })}`
        // Item ids are plain by their schema (EVIDENCE_ID_PATTERN), so the rest is checked once here.
        urlIsPlain = PLAIN_URL.test(`${prefix}${query}`)
      }
      return { url: `${prefix}${item}${query}`, expires: expiresIso, urlIsPlain }
    }
  }
}
