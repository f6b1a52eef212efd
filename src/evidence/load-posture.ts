import { existsSync } from 'node:fs'
import type { CpxdConfig } from '../config/schema.ts'
import { loadPostureDocuments, type PostureSet } from '../posture/loader.ts'
import { RenderedPosture } from '../posture/rendered-posture.ts'
import { StartupError } from '../startup-error.ts'
import { attachEvidence } from './attach-evidence.ts'
import type { EvidenceBackend } from './backend.ts'
import { evidenceKey, indexEvidence, NO_EVIDENCE, type EvidenceBackends, type EvidenceIndex } from './evidence-index.ts'
import { HashCache } from './hash-cache.ts'
import { LocalEvidenceStore } from './local-store.ts'
import { GcsEvidenceStore } from './gcs-store.ts'
import { S3EvidenceStore } from './s3-store.ts'

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
  const used = new Set([...documents.values()].flatMap((doc) => doc.evidence.map((item) => item.backend)))
  const evidence: EvidenceIndex = used.size > 0
    ? await indexEvidence(documents, openBackends(config, used), openCache(config), onProgress)
    : NO_EVIDENCE
  const postures = new Map([...documents].map(([tenant, doc]) => {
    const indexed = doc.evidence.filter((item) => evidence.items.has(evidenceKey(tenant, item.id)))
    const linked = new Set(indexed.map((item) => item.id))
    const publicLinked = new Set(indexed.filter((item) => item.public).map((item) => item.id))
    return [tenant, new RenderedPosture(attachEvidence(doc, tenant, evidence), linked, publicLinked).warm()] as const
  }))
  return { postures, evidence }
}

/**
 * Opens the hash index and sweeps it: temp files of writers that died (older than an hour) and
 * entries that fail their MAC or sit at another key's path go, at every start and reload.
 */
function openCache (config: CpxdConfig): HashCache {
  const cache = HashCache.open(config.evidence.cache_dir)
  cache.clean()
  return cache
}

/** Only the backends posture files name; one they name but the config lacks stops start-up. */
function openBackends (config: CpxdConfig, used: ReadonlySet<string>): EvidenceBackends {
  const backends = new Map<string, EvidenceBackend>()
  if (used.has('local')) {
    if (!existsSync(config.evidence.local_root)) {
      throw new StartupError(config.evidence.local_root, 'evidence.local_root', 'evidence folder not found, and a posture file lists local evidence')
    }
    backends.set('local', new LocalEvidenceStore(config.evidence.local_root))
  }
  if (used.has('s3')) {
    const s3 = config.evidence.s3
    if (s3 === undefined) throw new StartupError(config.posture_dir, 'evidence.s3', 'a posture file lists s3 evidence, but the config has no evidence.s3 bucket')
    backends.set('s3', new S3EvidenceStore({ bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, forcePathStyle: s3.force_path_style, delivery: s3.delivery }))
  }
  if (used.has('gcs')) {
    const gcs = config.evidence.gcs
    if (gcs === undefined) throw new StartupError(config.posture_dir, 'evidence.gcs', 'a posture file lists gcs evidence, but the config has no evidence.gcs bucket')
    backends.set('gcs', new GcsEvidenceStore({ bucket: gcs.bucket, serviceAccountFile: gcs.service_account_file, apiEndpoint: gcs.api_endpoint, delivery: gcs.delivery }))
  }
  return backends
}
