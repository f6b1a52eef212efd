import { EvidenceChangedError, EvidenceLocationError, type EvidenceBackend, type EvidenceObject, type LocationReason } from './backend.ts'
import type { HashCache } from './hash-cache.ts'
import type { EvidenceItem } from './evidence-item.ts'
import { hashStream } from './hash-stream.ts'
import type { AuditReason } from '../audit-reasons.ts'

/** The configured backends, by the name posture files use. */
export type EvidenceBackends = ReadonlyMap<string, EvidenceBackend>

/** An evidence item that was found and hashed, ready to be referenced and served. */
export interface IndexedEvidence {
  readonly tenant: string
  readonly item: EvidenceItem
  readonly backend: EvidenceBackend
  readonly object: EvidenceObject
  readonly sha256: string
  readonly size: number
}

export interface EvidenceFailure {
  readonly tenant: string
  readonly id: string
  readonly reason: Extract<AuditReason, 'hash_mismatch' | 'no_backend' | 'evidence_changed'> | LocationReason
  readonly message: string
}

export interface EvidenceIndex {
  /** Keyed `<tenant>/<item id>`; the vendor's own posture is tenant `_default`. */
  readonly items: ReadonlyMap<string, IndexedEvidence>
  /** Items withheld from every document, and why. */
  readonly failures: readonly EvidenceFailure[]
}

/** A posture version with no evidence. */
export const NO_EVIDENCE: EvidenceIndex = Object.freeze({ items: new Map(), failures: [] })

export function evidenceKey (tenant: string, id: string): string {
  return `${tenant}/${id}`
}

export interface IndexOptions {
  readonly onProgress?: (done: number, total: number) => void
  /** Hash every object's bytes, trusting no cached hash (`cpxd evidence verify`). */
  readonly fresh?: boolean
}

/**
 * Finds and hashes every evidence item, each at most once per version of the object: a cache hit
 * costs a stat, a miss streams the object once. Runs at start-up and reload, never in a request.
 * An item whose hash differs from the one its posture file declares is withheld and reported.
 */
export async function indexEvidence (
  /** Each tenant's evidence manifest (a posture document's `evidence`). */
  postures: ReadonlyMap<string, { readonly evidence: readonly EvidenceItem[] }>,
  backends: EvidenceBackends,
  cache: HashCache,
  options: IndexOptions = {}
): Promise<EvidenceIndex> {
  const items = new Map<string, IndexedEvidence>()
  const failures: EvidenceFailure[] = []
  const work = [...postures].flatMap(([tenant, doc]) => doc.evidence.map((item) => ({ tenant, item })))
  let done = 0
  options.onProgress?.(done, work.length)
  for (const { tenant, item } of work) {
    const outcome = await indexOne(tenant, item, backends, cache, options.fresh ?? false)
    if ('reason' in outcome) failures.push(outcome)
    else items.set(evidenceKey(tenant, item.id), outcome)
    options.onProgress?.(++done, work.length)
  }
  return { items, failures }
}

async function indexOne (tenant: string, item: EvidenceItem, backends: EvidenceBackends, cache: HashCache, fresh: boolean): Promise<IndexedEvidence | EvidenceFailure> {
  const backend = backends.get(item.backend)
  if (backend === undefined) return { tenant, id: item.id, reason: 'no_backend', message: `the ${item.backend} backend is not configured (evidence.${item.backend})` }
  let object: EvidenceObject
  try {
    object = await backend.locate(item.location)
  } catch (err) {
    if (!(err instanceof EvidenceLocationError)) throw err
    return { tenant, id: item.id, reason: err.reason, message: err.message }
  }
  let entry = fresh ? undefined : cache.get(object.cacheKey)
  if (entry === undefined) {
    try {
      entry = await hashStream(await backend.open(object))
    } catch (err) {
      if (!(err instanceof EvidenceChangedError)) throw err
      return { tenant, id: item.id, reason: 'evidence_changed', message: `${err.message}; the next reload indexes it again` }
    }
    cache.set(object.cacheKey, entry)
  }
  if (item.sha256 !== undefined && item.sha256 !== entry.sha256) {
    return { tenant, id: item.id, reason: 'hash_mismatch', message: `declared sha256:${item.sha256}, computed sha256:${entry.sha256}` }
  }
  return { tenant, item, backend, object, sha256: entry.sha256, size: entry.size }
}
