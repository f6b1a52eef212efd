import type { PostureDocument, PostureStatus } from './document.ts'
import type { HistoricVersion } from './file-history.ts'
import type { VersionRecord } from './file-publisher.ts'

/** Every published version a store keeps: listed newest first, read by id or by time, pruned. */
export interface PostureHistory {
  versions: (tenant: string, now?: number) => Promise<VersionRecord[]>
  read: (tenant: string, id: string) => Promise<HistoricVersion | undefined>
  inForceAt: (tenant: string, at: number) => Promise<HistoricVersion | undefined>
  prune: (tenant: string, now?: number) => Promise<number>
}

/**
 * Where posture versions come from and go to: the files store (posture_dir and a history folder,
 * one process) or PostgreSQL (every replica). Evidence stays where each document's manifest says.
 */
export interface VersionStore {
  readonly history: PostureHistory
  /** Stores a checked version; it is the tenant's current one from then on. */
  publish: (tenant: string, body: Buffer, publisher: string, compliance: PostureStatus) => Promise<VersionRecord>
  /** Each tenant's current document (`_default` for the vendor's own), as a load serves them. */
  currentDocuments: () => Promise<Map<string, PostureDocument>>
  /** Calls back when another process (a replica) publishes; a no-op for a store only this process writes. */
  onChange: (listener: () => void) => void
  close: () => Promise<void>
}
