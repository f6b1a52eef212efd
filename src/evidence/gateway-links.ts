import type { Principal } from '../auth/principal.ts'
import type { MintLink } from '../posture/rendered-posture.ts'
import type { GatewaySigner } from './gateway-signer.ts'

/** How a principal is named in a link: its kind and id, and its issuer for JWTs. */
export function principalLabel (principal: Principal): string {
  const id = principal.id ?? ''
  return principal.issuer === undefined ? `${principal.kind}:${id}` : `${principal.kind}:${principal.issuer}|${id}`
}

/**
 * Links to cpxd's evidence gateway (`/evidence/<tenant>/<item>`), signed for one principal, one
 * tenant, one item, one tier and one expiry. Made fresh for every request, never shared.
 */
export class GatewayLinks {
  private readonly signer: GatewaySigner
  /** Asked at mint time: without a configured public URL it depends on the port actually bound. */
  private readonly baseUrl: () => string
  private readonly lifetimeMs: number

  constructor (signer: GatewaySigner, baseUrl: () => string, lifetimeMs: number) {
    this.signer = signer
    this.baseUrl = baseUrl
    this.lifetimeMs = lifetimeMs
  }

  /** A minter for one request: every link in one answer shares its expiry. */
  minterFor (principal: Principal, tenant: string, now = Date.now()): MintLink {
    const expires = Math.floor((now + this.lifetimeMs) / 1000)
    const expiresIso = new Date(expires * 1000).toISOString()
    const label = principalLabel(principal)
    const base = this.baseUrl().replace(/\/+$/, '')
    return (item) => {
      const signature = this.signer.sign({ tenant, item, principal: label, tier: principal.tier, expires })
      const query = new URLSearchParams({ p: label, t: principal.tier, e: String(expires), s: signature })
      return { url: `${base}/evidence/${tenant}/${item}?${query.toString()}`, expires: expiresIso }
    }
  }
}
