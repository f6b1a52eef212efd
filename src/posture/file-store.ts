import { FileHistory } from './file-history.ts'
import { publishToFiles } from './file-publisher.ts'
import { loadPostureDocuments } from './loader.ts'
import type { VersionStore } from './version-store.ts'

/** The default store: posture files in `posture_dir`, every published version in `history_dir`. */
export function fileStore (postureDir: string, historyDir: string, retentionMs: number): VersionStore {
  return {
    history: new FileHistory(historyDir, retentionMs),
    publish: async (tenant, body, publisher, compliance) => publishToFiles({ postureDir, historyDir }, tenant, body, publisher, compliance),
    currentDocuments: async () => loadPostureDocuments(postureDir),
    onChange: () => {},
    close: async () => {}
  }
}
