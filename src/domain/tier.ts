/** Access tiers from the spec's tiered access, lowest first. */
export const TIERS = ['public', 'customer', 'auditor'] as const
export type Tier = typeof TIERS[number]

/**
 * What a principal may be: a reading tier, or `operator`, for ops teams, who read every tenant's
 * metrics and cpxd's own but no posture document. Operator is no visibility level: nothing in a
 * posture file is marked for it.
 */
export const PRINCIPAL_TIERS = [...TIERS, 'operator'] as const
export type PrincipalTier = typeof PRINCIPAL_TIERS[number]

const RANK: Record<Tier, number> = { public: 0, customer: 1, auditor: 2 }

/** True when a principal of tier `have` may see what is visible to tier `need`. */
export function tierAllows (have: Tier, need: Tier): boolean {
  return RANK[have] >= RANK[need]
}
