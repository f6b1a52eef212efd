import { existsSync } from 'node:fs'
import type { CpxdConfig } from '../config/schema.ts'
import { loadPostureDocuments, type PostureSet } from '../posture/loader.ts'
import { RenderedPosture } from '../posture/rendered-posture.ts'
import { StartupError } from '../startup-error.ts'
import { attachEvidence } from './attach-evidence.ts'
import { indexEvidence, type EvidenceIndex } from './evidence-index.ts'
import { HashCache } from './hash-cache.ts'
import { LocalEvidenceStore } from './local-store.ts'

export interface LoadedPosture {
  readonly postures: PostureSet
  readonly evidence: EvidenceIndex
}

/**
 * Everything a posture version needs, built before it is served: documents, the evidence index
 * (each object hashed at most once per version of it, through the hash cache), and the rendered
 * answers with evidence references attached. Withheld evidence is in `evidence.failures`.
 */
export async function loadPosture (config: CpxdConfig, onProgress?: (done: number, total: number) => void): Promise<LoadedPosture> {
  const documents = loadPostureDocuments(config.posture_dir)
  const hasEvidence = [...documents.values()].some((doc) => doc.evidence.length > 0)
  const evidence: EvidenceIndex = hasEvidence
    ? await indexEvidence(documents, openStore(config), HashCache.open(config.evidence.cache_dir), onProgress)
    : { items: new Map(), failures: [] }
  const postures = new Map([...documents].map(([tenant, doc]) => {
    const linked = new Set(doc.evidence.map((item) => item.id).filter((id) => evidence.items.has(`${tenant}/${id}`)))
    return [tenant, new RenderedPosture(attachEvidence(doc, tenant, evidence), linked).warm()] as const
  }))
  return { postures, evidence }
}

function openStore (config: CpxdConfig): LocalEvidenceStore {
  if (!existsSync(config.evidence.local_root)) {
    throw new StartupError(config.evidence.local_root, 'evidence.local_root', 'evidence folder not found, and a posture file lists local evidence')
  }
  return new LocalEvidenceStore(config.evidence.local_root)
}
