import { readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { Storage, type File } from '@google-cloud/storage'
import { StartupError } from '../startup-error.ts'
import { EvidenceLocationError, type EvidenceBackend, type EvidenceObject } from './backend.ts'

export interface GcsOptions {
  readonly bucket: string
  /** A service account key (JSON). It signs V4 URLs locally; without one, Application Default Credentials. */
  readonly serviceAccountFile?: string
  /** A JSON-API endpoint other than Google's (an emulator); requests to it are not authenticated. */
  readonly apiEndpoint?: string
  readonly delivery: 'direct' | 'gateway'
}

export interface GcsObject extends EvidenceObject {
  readonly generation: string
}

/**
 * The `gcs` backend: one bucket. The identity is the object's generation, which changes on every
 * write; reads and signed URLs name that generation, so a later upload cannot hide behind the hash.
 */
export class GcsEvidenceStore implements EvidenceBackend<GcsObject> {
  readonly name = 'gcs'
  readonly delivery: 'direct' | 'gateway'
  private readonly storage: Storage
  private readonly bucket: string

  constructor (options: GcsOptions) {
    this.bucket = options.bucket
    this.delivery = options.delivery
    this.storage = new Storage({
      ...(options.serviceAccountFile === undefined ? {} : { credentials: readServiceAccount(options.serviceAccountFile) }),
      ...(options.apiEndpoint === undefined ? {} : { apiEndpoint: options.apiEndpoint })
    })
  }

  async locate (location: string): Promise<GcsObject> {
    try {
      const [metadata] = await this.file(location).getMetadata()
      const generation = String(metadata.generation ?? '')
      return { location, size: Number(metadata.size ?? 0), generation, cacheKey: `gcs:${this.bucket}/${location}#${generation}` }
    } catch (err) {
      const code = (err as { code?: number }).code
      if (code === 404 || code === 403) throw new EvidenceLocationError('not_found', `${location} does not exist in bucket ${this.bucket} (or cpxd may not read it)`)
      throw err
    }
  }

  async open (object: GcsObject): Promise<Readable> {
    // cpxd computes SHA-256 itself; the library's MD5/CRC32C check would add nothing.
    return this.file(object.location, object.generation).createReadStream({ validation: false })
  }

  async unchanged (object: GcsObject): Promise<boolean> {
    try {
      return (await this.locate(object.location)).generation === object.generation
    } catch {
      return false
    }
  }

  /** A V4 signed URL (RSA-SHA256 by the service account): GET only, this generation, `seconds` long. */
  async presign (object: GcsObject, seconds: number): Promise<string> {
    const [url] = await this.file(object.location).getSignedUrl({
      version: 'v4',
      action: 'read',
      expires: Date.now() + seconds * 1000,
      queryParams: { generation: object.generation }
    })
    return url
  }

  private file (location: string, generation?: string): File {
    return this.storage.bucket(this.bucket).file(location, generation === undefined ? {} : { generation: Number(generation) })
  }
}

function readServiceAccount (file: string): { client_email: string, private_key: string } {
  try {
    const key = JSON.parse(readFileSync(file, 'utf8')) as { client_email?: unknown, private_key?: unknown }
    if (typeof key.client_email === 'string' && typeof key.private_key === 'string') return { client_email: key.client_email, private_key: key.private_key }
  } catch {}
  throw new StartupError(file, 'evidence.gcs.service_account_file', 'is not a service account key (JSON with client_email and private_key)')
}
