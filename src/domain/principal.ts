import type { PrincipalTier } from './tier.ts'

/** Who is asking, as every later step sees it: the audit line, rate limit and tenant check. */
export interface Principal {
  readonly kind: 'anonymous' | 'api_key' | 'jwt'
  /** The API key's id or the token's subject; null for anonymous callers. */
  readonly id: string | null
  /** The token's issuer, for JWT principals. */
  readonly issuer?: string
  readonly tier: PrincipalTier
  /** Tenant ids this principal may read; `*` stands for every tenant. */
  readonly tenants: ReadonlySet<string>
}

export const ANONYMOUS: Principal = Object.freeze({
  kind: 'anonymous',
  id: null,
  tier: 'public',
  tenants: new Set<string>()
})

export function mayReadTenant (principal: Principal, tenant: string): boolean {
  return principal.tenants.has('*') || principal.tenants.has(tenant)
}

/**
 * A principal as one string: kind and id, with the issuer for JWTs (two issuers may each have a
 * subject `alice`). Names the rate-limit bucket and the principal an evidence link is made for.
 */
export function principalLabel (principal: Principal): string {
  const id = principal.id ?? ''
  return principal.issuer === undefined ? `${principal.kind}:${id}` : `${principal.kind}:${principal.issuer}|${id}`
}
