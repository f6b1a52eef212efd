import { createHash } from 'node:crypto'
import { FileHistory } from './file-history.ts'
import { publishToFiles, type VersionRecord } from './file-publisher.ts'
import { loadPostureDocumentsInParallel } from './parallel-load.ts'
import { IDEMPOTENCY_TTL_MS, IdempotencyConflict, type PublishRequest, type VersionStore } from './version-store.ts'

/** Idempotency keys a single process remembers; the oldest go first beyond this. */
const MAX_KEYS = 10_000

/**
 * The default store: posture files in `posture_dir`, every published version in `history_dir`.
 * One process writes it, so idempotency keys are remembered in memory.
 */
export function fileStore (postureDir: string, historyDir: string, retentionMs: number): VersionStore {
  const keys = new Map<string, { fingerprint: string, record: VersionRecord, until: number }>()
  return {
    history: new FileHistory(historyDir, retentionMs),
    publish: async (request: PublishRequest) => {
      const scope = request.idempotencyKey === undefined ? undefined : `${request.publisher}\n${request.idempotencyKey}`
      const fingerprint = `${request.tenant}:${createHash('sha256').update(request.body).digest('hex')}`
      const earlier = scope === undefined ? undefined : keys.get(scope)
      if (earlier !== undefined && earlier.until > Date.now()) {
        if (earlier.fingerprint !== fingerprint) throw new IdempotencyConflict()
        return { record: earlier.record, replayed: true }
      }
      const record = publishToFiles({ postureDir, historyDir }, request.tenant, request.body, request.publisher, request.compliance)
      if (scope !== undefined) {
        if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value as string)
        keys.set(scope, { fingerprint, record, until: Date.now() + IDEMPOTENCY_TTL_MS })
      }
      return { record, replayed: false }
    },
    currentDocuments: async () => loadPostureDocumentsInParallel(postureDir),
    onChange: () => {},
    close: async () => {}
  }
}
