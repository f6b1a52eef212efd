import type { CpxdConfig } from '../config/schema.ts'
import { loadPostureVersion } from '../posture/load-version.ts'

export interface EvidenceReport {
  readonly text: string
  /** Non-zero when any item is withheld. */
  readonly exitCode: number
}

/**
 * `cpxd evidence index` and `verify`: hash every evidence item now and report each item withheld,
 * with why. `index` goes through the cache the server uses (so the server starts warm); `verify`
 * (`fresh`) reads every object's bytes and trusts no cached hash.
 */
export async function checkEvidence (config: CpxdConfig, progress?: (line: string) => void, options: { fresh?: boolean } = {}): Promise<EvidenceReport> {
  const onProgress = progress === undefined ? undefined : (done: number, total: number) => { progress(progressBar(done, total)) }
  const { evidence } = await loadPostureVersion(config, { onProgress, fresh: options.fresh })
  const lines = [`${evidence.items.size} evidence item${evidence.items.size === 1 ? '' : 's'} verified`]
  for (const failure of evidence.failures) lines.push(`FAILED ${failure.tenant}/${failure.id}: ${failure.reason}: ${failure.message}`)
  return { text: `${lines.join('\n')}\n`, exitCode: evidence.failures.length === 0 ? 0 : 1 }
}

const WIDTH = 30

export function progressBar (done: number, total: number): string {
  const filled = total === 0 ? WIDTH : Math.round((done / total) * WIDTH)
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total}`
}
