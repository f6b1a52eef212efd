import type { Tier } from './tier.ts'

/** Who is asking, as every later step sees it: the audit line, rate limit and tenant check. */
export interface Principal {
  readonly kind: 'anonymous' | 'api_key' | 'jwt'
  /** The API key's id or the token's subject; null for anonymous callers. */
  readonly id: string | null
  /** The token's issuer, for JWT principals. */
  readonly issuer?: string
  readonly tier: Tier
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
