import { existsSync } from 'node:fs'
import type { CpxdConfig } from '../config/schema.ts'
import { StartupError } from '../startup-error.ts'
import type { EvidenceBackend } from './backend.ts'
import type { EvidenceBackends } from './evidence-index.ts'
import { HashCache } from './hash-cache.ts'
import { LocalEvidenceStore } from './local-store.ts'

type EvidenceConfig = CpxdConfig['evidence']

/**
 * Only the backends posture files name; one they name but the config lacks stops start-up.
 * `postureDir` is named in that error: the posture files asked for the backend. The cloud SDKs
 * are loaded only when a backend needs them: the AWS and Google clients alone were about a third of
 * a process's memory (docs/performance.md).
 */
export async function openBackends (evidence: EvidenceConfig, used: ReadonlySet<string>, postureDir: string): Promise<EvidenceBackends> {
  const backends = new Map<string, EvidenceBackend>()
  if (used.has('local')) {
    if (!existsSync(evidence.local_root)) {
      throw new StartupError(evidence.local_root, 'evidence.local_root', 'evidence folder not found, and a posture file lists local evidence')
    }
    backends.set('local', new LocalEvidenceStore(evidence.local_root))
  }
  if (used.has('s3')) {
    const s3 = evidence.s3
    if (s3 === undefined) throw new StartupError(postureDir, 'evidence.s3', 'a posture file lists s3 evidence, but the config has no evidence.s3 bucket')
    const { S3EvidenceStore } = await import('./s3-store.ts')
    backends.set('s3', new S3EvidenceStore({ bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, forcePathStyle: s3.force_path_style, delivery: s3.delivery }))
  }
  if (used.has('gcs')) {
    const gcs = evidence.gcs
    if (gcs === undefined) throw new StartupError(postureDir, 'evidence.gcs', 'a posture file lists gcs evidence, but the config has no evidence.gcs bucket')
    const { GcsEvidenceStore } = await import('./gcs-store.ts')
    backends.set('gcs', new GcsEvidenceStore({ bucket: gcs.bucket, serviceAccountFile: gcs.service_account_file, apiEndpoint: gcs.api_endpoint, delivery: gcs.delivery }))
  }
  return backends
}

/**
 * Opens the hash index and sweeps it: temp files of writers that died (older than an hour) and
 * entries that fail their MAC or sit at another key's path go, at every start and reload.
 */
export function openHashCache (evidence: EvidenceConfig): HashCache {
  const cache = HashCache.open(evidence.cache_dir)
  cache.clean()
  return cache
}
