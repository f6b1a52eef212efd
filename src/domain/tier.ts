/** Access tiers from the spec's tiered access, lowest first. */
export const TIERS = ['public', 'customer', 'auditor'] as const
export type Tier = typeof TIERS[number]

/**
 * What a principal may be: a reading tier; `operator`, for ops teams, who read every tenant's
 * metrics and cpxd's own but no posture document; or `publisher`, for the vendor's pipeline, which
 * publishes new posture versions (`POST /cpx`) and reads nothing. Neither is a visibility level:
 * nothing in a posture file is marked for them.
 */
export const PRINCIPAL_TIERS = [...TIERS, 'operator', 'publisher'] as const
export type PrincipalTier = typeof PRINCIPAL_TIERS[number]

/** Whether a principal of this tier reads posture documents at all. */
export function readsPosture (tier: PrincipalTier): tier is Tier {
  return tier !== 'operator' && tier !== 'publisher'
}

const RANK: Record<Tier, number> = { public: 0, customer: 1, auditor: 2 }

/** True when a principal of tier `have` may see what is visible to tier `need`. */
export function tierAllows (have: Tier, need: Tier): boolean {
  return RANK[have] >= RANK[need]
}
