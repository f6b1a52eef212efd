import { isTenantId } from '../domain/tenant-id.ts'
import { PRINCIPAL_TIERS, TIERS, type PrincipalTier, type Tier } from '../domain/tier.ts'
import { UsageError } from './command.ts'

/** `--tier`: one of the tiers, `customer` when not given. */
export function tierOption (value: string | undefined): Tier {
  return tierFrom(TIERS, value ?? 'customer')
}

/** `--tier` of a key: a reading tier, or `operator` (metrics only); `customer` when not given. */
export function keyTierOption (value: string | undefined): PrincipalTier {
  return tierFrom(PRINCIPAL_TIERS, value ?? 'customer')
}

function tierFrom<T extends string> (allowed: readonly T[], value: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--tier must be one of ${allowed.join(', ')}`)
  return value as T
}

/** A comma-separated list of tenant ids (`acme,globex`); `*` (every tenant) only where `allowAll`. */
export function tenantsOption (flag: string, value: string | undefined, allowAll: boolean): string[] {
  const tenants = (value ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '')
  for (const tenant of tenants) {
    if (!(allowAll && tenant === '*') && !isTenantId(tenant)) throw new UsageError(`${flag}: "${tenant}" is not a tenant id`)
  }
  return tenants
}
