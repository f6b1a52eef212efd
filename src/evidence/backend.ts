import type { Readable } from 'node:stream'
import type { AuditReason } from '../audit-reasons.ts'

/** One evidence object as a backend found it. */
export interface EvidenceObject {
  readonly location: string
  readonly size: number
  /** The object's identity (local: size + mtime + inode; s3: version or ETag); a change means rehash. */
  readonly cacheKey: string
}

/**
 * A place evidence lives: the local folder, an S3 or GCS bucket. Methods (not function properties) on
 * purpose: a backend is only ever handed back the objects its own `locate` made.
 */
export interface EvidenceBackend<O extends EvidenceObject = EvidenceObject> {
  readonly name: 'local' | 's3' | 'gcs'
  /** `direct`: a presigned storage URL in the document; `gateway`: a link to cpxd itself. */
  readonly delivery: 'direct' | 'gateway'
  /** Throws EvidenceLocationError when the object is missing or not allowed. */
  locate (location: string): Promise<O>
  /** The object's bytes; throws EvidenceChangedError when it is no longer the object located. */
  open (object: O): Promise<Readable>
  /** False once the object changed since it was located (it must not be served under the old hash). */
  unchanged (object: O): Promise<boolean>
  /** A URL the storage itself serves, valid for `seconds`; absent for `local`. A string when no I/O was needed. */
  presign? (object: O, seconds: number): string | Promise<string>
}

/** The audit reasons a backend can give for an object it cannot serve. */
export type LocationReason = Extract<AuditReason, 'not_found' | 'outside_root'>

/** An object that is not there (`not_found`) or may not be read from where it is (`outside_root`). */
export class EvidenceLocationError extends Error {
  override readonly name = 'EvidenceLocationError'
  readonly reason: LocationReason

  constructor (reason: LocationReason, message: string) {
    super(message)
    this.reason = reason
  }
}

/** The object is no longer the one that was located and hashed: its bytes must not be served. */
export class EvidenceChangedError extends Error {
  override readonly name = 'EvidenceChangedError'
}
