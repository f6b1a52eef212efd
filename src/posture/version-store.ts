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

/** What a publish asks a store to keep. */
export interface PublishRequest {
  readonly tenant: string
  readonly body: Buffer
  readonly publisher: string
  readonly compliance: PostureStatus
  /** A retry with the same key gets the first version back; kept a day, per publisher. */
  readonly idempotencyKey?: string | undefined
}

export interface PublishOutcome {
  readonly record: VersionRecord
  /** True when an earlier publish with the same key is what is returned. */
  readonly replayed: boolean
}

/** An idempotency key already used for another tenant or body. */
export class IdempotencyConflict extends Error {
  override readonly name = 'IdempotencyConflict'
}

/** How long a publish's idempotency key is remembered. */
export const IDEMPOTENCY_TTL_MS = 86_400_000

/**
 * Where posture versions come from and go to: the files store (posture_dir and a history folder,
 * one process) or PostgreSQL (every replica). Evidence stays where each document's manifest says.
 */
export interface VersionStore {
  readonly history: PostureHistory
  /** Stores a checked version; it is the tenant's current one from then on. */
  publish: (request: PublishRequest) => Promise<PublishOutcome>
  /** Each tenant's current document (`_default` for the vendor's own), as a load serves them. */
  currentDocuments: () => Promise<Map<string, PostureDocument>>
  /** Calls back when another process (a replica) publishes; a no-op for a store only this process writes. */
  onChange: (listener: () => void) => void
  close: () => Promise<void>
}
