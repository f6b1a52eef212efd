import type { FrameworkStatus, PostureStatus } from './document.ts'

/**
 * The overall `compliance_posture` when a posture file leaves it out: `unknown` with no
 * frameworks, `compliant` when every framework is compliant, `non_compliant` when every one is
 * non-compliant, otherwise `partially_compliant`. It is computed over every framework in the
 * file, hidden ones included, so that the public summary never looks better than the truth.
 */
export function rollupPosture (statuses: readonly FrameworkStatus[]): PostureStatus {
  if (statuses.length === 0) return 'unknown'
  if (statuses.every((s) => s === 'compliant')) return 'compliant'
  if (statuses.every((s) => s === 'non_compliant')) return 'non_compliant'
  return 'partially_compliant'
}
