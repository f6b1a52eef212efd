/** Tenant ids are DNS-label-like, so they are safe as file names, URL segments and log values. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/

/** The posture file of the vendor itself, served at `/cpx`. */
export const DEFAULT_POSTURE = '_default'

/**
 * Names of paths cpxd serves under `/cpx/` itself (`/cpx/metrics`, `/cpx/badge/...`): a tenant
 * called so could never be reached, so none may be.
 */
export const RESERVED_TENANT_IDS: ReadonlySet<string> = new Set(['metrics', 'badge'])

export function isTenantId (value: string): boolean {
  return TENANT_ID_PATTERN.test(value) && !RESERVED_TENANT_IDS.has(value)
}
