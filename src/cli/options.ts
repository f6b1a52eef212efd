import { isTenantId } from '../domain/tenant-id.ts'
import { PRINCIPAL_TIERS, TIERS, type PrincipalTier, type Tier } from '../domain/tier.ts'
import { UsageError } from './command.ts'

/** `--tier`: one of the tiers, `customer` when not given. */
export function tierOption (value: string | undefined): Tier {
  const tier = value ?? 'customer'
  if (!(TIERS as readonly string[]).includes(tier)) throw new UsageError(`--tier must be one of ${TIERS.join(', ')}`)
  return tier as Tier
}

/** `--tier` of a key: a reading tier, or `operator` (metrics only). */
export function keyTierOption (value: string | undefined): PrincipalTier {
  if (value === 'operator') return value
  try {
    return tierOption(value)
  } catch {
    throw new UsageError(`--tier must be one of ${PRINCIPAL_TIERS.join(', ')}`)
  }
}

/** A comma-separated list of tenant ids (`acme,globex`); `*` (every tenant) only where `allowAll`. */
export function tenantsOption (flag: string, value: string | undefined, allowAll: boolean): string[] {
  const tenants = (value ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '')
  for (const tenant of tenants) {
    if (!(allowAll && tenant === '*') && !isTenantId(tenant)) throw new UsageError(`${flag}: "${tenant}" is not a tenant id`)
  }
  return tenants
}
