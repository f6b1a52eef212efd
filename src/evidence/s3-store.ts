import type { Readable } from 'node:stream'
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { EvidenceLocationError, type EvidenceBackend, type EvidenceObject } from './backend.ts'
import { rfc3986, SigV4QuerySigner } from './sigv4-query.ts'

export interface S3Options {
  readonly bucket: string
  readonly region: string
  /** An S3-compatible endpoint (MinIO, Ceph, a test server); unset for AWS itself. */
  readonly endpoint?: string
  readonly forcePathStyle: boolean
  readonly delivery: 'direct' | 'gateway'
}

export interface S3Object extends EvidenceObject {
  /** The version or ETag the object had when located. */
  readonly version: string
}

/**
 * The `s3` backend: one bucket. Credentials come from the standard AWS chain (environment, shared
 * config, instance or task role): the config never holds them. Reads use GetObject; the identity
 * is the object's VersionId when the bucket is versioned, else its ETag.
 */
export class S3EvidenceStore implements EvidenceBackend<S3Object> {
  readonly name = 's3'
  readonly delivery: 'direct' | 'gateway'
  private readonly client: S3Client
  private readonly bucket: string
  private readonly signer: SigV4QuerySigner
  /** Where presigned requests go: scheme, `host[:port]`, and the path prefix before the key. */
  private readonly target: { protocol: string, host: string, prefix: string }

  constructor (options: S3Options) {
    this.bucket = options.bucket
    this.delivery = options.delivery
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle
    })
    // The client's own credential chain, which caches and refreshes what it resolves.
    const credentials = this.client.config.credentials
    this.signer = new SigV4QuerySigner(options.region, async () => credentials())
    this.target = targetOf(options)
  }

  async locate (location: string): Promise<S3Object> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: location }))
      const version = head.VersionId ?? head.ETag ?? ''
      return { location, size: head.ContentLength ?? 0, version, cacheKey: `s3:${this.bucket}/${location}@${version}` }
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
      if (status === 404 || status === 403) throw new EvidenceLocationError('not_found', `${location} does not exist in bucket ${this.bucket} (or cpxd may not read it)`)
      throw err
    }
  }

  async open (object: S3Object): Promise<Readable> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: object.location, ...this.pin(object) }))
    return response.Body as Readable
  }

  async unchanged (object: S3Object): Promise<boolean> {
    try {
      return (await this.locate(object.location)).version === object.version
    } catch {
      return false
    }
  }

  /**
   * SigV4 query signing: the URL works for `seconds`, GET only, and for exactly the hashed version
   * when the bucket is versioned (versionId travels in the query). It is never pinned with
   * If-Match: that would make `if-match` a signed header no browser following the link sends.
   * Synchronous while the credentials held are good: an auditor's document can hold dozens of URLs
   * (docs/performance.md has the figures).
   */
  presign (object: S3Object, seconds: number): string | Promise<string> {
    const { protocol, host, prefix } = this.target
    const path = `${prefix}/${object.location.split('/').map(rfc3986).join('/')}`
    const query: Record<string, string> = object.version.startsWith('"') ? {} : { versionId: object.version }
    return this.signer.presign({ protocol, host, path, query }, seconds)
  }

  /** Ask for exactly the version that was hashed: a later upload cannot hide behind the old hash. */
  private pin (object: S3Object): { VersionId?: string, IfMatch?: string } {
    return object.version.startsWith('"') ? { IfMatch: object.version } : { VersionId: object.version }
  }
}

/** The endpoint a presigned URL names: virtual-hosted (`<bucket>.s3.<region>.amazonaws.com`) or path-style. */
function targetOf (options: S3Options): { protocol: string, host: string, prefix: string } {
  const endpoint = new URL(options.endpoint ?? `https://s3.${options.region}.amazonaws.com`)
  const port = endpoint.port === '' ? '' : `:${endpoint.port}`
  if (options.forcePathStyle) return { protocol: endpoint.protocol, host: `${endpoint.hostname}${port}`, prefix: `/${rfc3986(options.bucket)}` }
  return { protocol: endpoint.protocol, host: `${options.bucket}.${endpoint.hostname}${port}`, prefix: '' }
}
