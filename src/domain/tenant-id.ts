/** Tenant ids are DNS-label-like, so they are safe as file names, URL segments and log values. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/

/** The posture file of the vendor itself, served at `/cpx`. */
export const DEFAULT_POSTURE = '_default'

export function isTenantId (value: string): boolean {
  return TENANT_ID_PATTERN.test(value)
}
