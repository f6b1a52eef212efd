import type { CpxdConfig } from '../config/schema.ts'
import { evidenceKey, indexEvidence, NO_EVIDENCE, type EvidenceIndex, type IndexOptions } from '../evidence/evidence-index.ts'
import { openBackends, openHashCache } from '../evidence/open-backends.ts'
import { DEFAULT_POSTURE } from '../domain/tenant-id.ts'
import { attachEvidence } from './attach-evidence.ts'
import { loadPostureDocuments } from './loader.ts'
import { PostureVersion } from './posture-version.ts'
import { RenderedPosture } from './rendered-posture.ts'

/** What loading a version reads: the posture folder and where its evidence lives. */
export type PostureSourceConfig = Pick<CpxdConfig, 'posture_dir' | 'evidence'> & Partial<Pick<CpxdConfig, 'posture'>>

/**
 * Everything a posture version needs, built before it is served: documents, the evidence index
 * (each object hashed at most once per version of it, through the hash cache), and the rendered
 * answers with evidence references attached. Withheld evidence is in `evidence.failures`.
 */
export async function loadPostureVersion (config: PostureSourceConfig, options: IndexOptions = {}, documents = loadPostureDocuments(config.posture_dir)): Promise<PostureVersion> {
  const used = new Set([...documents.values()].flatMap((doc) => doc.evidence.map((item) => item.backend)))
  const evidence: EvidenceIndex = used.size > 0
    ? await indexEvidence(documents, await openBackends(config.evidence, used, config.posture_dir), openHashCache(config.evidence), options)
    : NO_EVIDENCE
  const postures = new Map([...documents].map(([tenant, doc]) => {
    const indexed = doc.evidence.filter((item) => evidence.items.has(evidenceKey(tenant, item.id)))
    const linked = new Set(indexed.map((item) => item.id))
    const publicLinked = new Set(indexed.filter((item) => item.public).map((item) => item.id))
    const rendered = new RenderedPosture(attachEvidence(doc, tenant, evidence), linked, publicLinked)
    // The vendor's own answers, which the public reads, are built now. A tenant's are built at its
    // first request (a fraction of a millisecond): thousands of tenants cost only their documents
    // until they are asked for (docs/performance.md).
    return [tenant, tenant === DEFAULT_POSTURE ? rendered.warm() : rendered] as const
  }))
  const staleAt = new Map<string, number>()
  for (const [tenant, doc] of documents) {
    const limit = doc.stale_after ?? config.posture?.stale_after
    if (limit !== undefined && limit !== 'off') staleAt.set(tenant, Date.parse(doc.timestamp) + limit)
  }
  return new PostureVersion(postures, evidence, staleAt)
}
