import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto'

/** What the AWS credential chain resolves to (the SDK's identity type, the fields signing reads). */
export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
  readonly expiration?: Date
}

/** A presigned GET: where, and what else the query carries (a versionId). `path` is already encoded. */
export interface PresignTarget {
  readonly protocol: string
  /** `host[:port]`, as the Host header a client following the URL sends. */
  readonly host: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
}

/** Credentials that expire sooner than this are fetched again before they sign anything. */
const REFRESH_BEFORE_MS = 5 * 60_000

/**
 * AWS Signature Version 4 in the query string (a presigned GET URL), from the documented algorithm
 * (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html), on node:crypto.
 *
 * Written here rather than calling the SDK's presigner per URL, because almost all of that work is
 * the same for every URL of a day: the derived signing key (four HMACs) is made once per day and
 * imported once, the credentials are held until shortly before they expire, and the parts of the
 * canonical query that name the credential are encoded once. Per URL there is one SHA-256 and one
 * HMAC. The tests check every URL against an independent implementation of the algorithm, against
 * the SDK's presigner byte for byte, and against a real S3 server.
 */
export class SigV4QuerySigner {
  private readonly region: string
  private readonly service: string
  private readonly credentialsProvider: () => Promise<AwsCredentials>
  private credentials: AwsCredentials | undefined
  private refreshing: Promise<AwsCredentials> | undefined
  private day: { readonly credentials: AwsCredentials, readonly date: string, readonly key: KeyObject, readonly fixedQuery: ReadonlyArray<readonly [string, string]> } | undefined

  constructor (region: string, credentialsProvider: () => Promise<AwsCredentials>, service = 's3') {
    this.region = region
    this.service = service
    this.credentialsProvider = credentialsProvider
  }

  /** A URL that works for `seconds` from `now`; synchronous while the credentials held are good. */
  presign (target: PresignTarget, seconds: number, now = Date.now()): string | Promise<string> {
    const held = this.credentials
    if (held !== undefined && (held.expiration === undefined || held.expiration.getTime() - now > REFRESH_BEFORE_MS)) {
      return this.sign(held, target, seconds, now)
    }
    return this.refresh().then((credentials) => this.sign(credentials, target, seconds, now))
  }

  private refresh (): Promise<AwsCredentials> {
    this.refreshing ??= this.credentialsProvider().then((credentials) => {
      this.credentials = credentials
      return credentials
    }).finally(() => { this.refreshing = undefined })
    return this.refreshing
  }

  private sign (credentials: AwsCredentials, target: PresignTarget, seconds: number, now: number): string {
    const amzDate = `${new Date(now).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`
    const day = this.dayOf(credentials, amzDate.slice(0, 8))
    const query: Array<readonly [string, string]> = [
      ...day.fixedQuery,
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(seconds)]
    ]
    for (const [name, value] of Object.entries(target.query)) query.push([rfc3986(name), rfc3986(value)])
    // Sorted by encoded name (every name is distinct), as the canonical request requires.
    query.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const canonicalQuery = query.map(([name, value]) => `${name}=${value}`).join('&')
    const canonicalRequest = `GET\n${target.path}\n${canonicalQuery}\nhost:${target.host}\n\nhost\nUNSIGNED-PAYLOAD`
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${day.date}/${this.region}/${this.service}/aws4_request\n${createHash('sha256').update(canonicalRequest).digest('hex')}`
    const signature = createHmac('sha256', day.key).update(stringToSign).digest('hex')
    return `${target.protocol}//${target.host}${target.path}?${canonicalQuery}&X-Amz-Signature=${signature}`
  }

  /** The signing key and the credential's query parameters for one day and one set of credentials. */
  private dayOf (credentials: AwsCredentials, date: string): NonNullable<SigV4QuerySigner['day']> {
    if (this.day !== undefined && this.day.credentials === credentials && this.day.date === date) return this.day
    const key = [date, this.region, this.service, 'aws4_request'].reduce<Buffer>(
      (previous, part) => createHmac('sha256', previous).update(part).digest(),
      Buffer.from(`AWS4${credentials.secretAccessKey}`)
    )
    const fixedQuery: Array<readonly [string, string]> = [
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Content-Sha256', 'UNSIGNED-PAYLOAD'],
      ['X-Amz-Credential', rfc3986(`${credentials.accessKeyId}/${date}/${this.region}/${this.service}/aws4_request`)],
      ['X-Amz-SignedHeaders', 'host']
    ]
    if (credentials.sessionToken !== undefined) fixedQuery.push(['X-Amz-Security-Token', rfc3986(credentials.sessionToken)])
    this.day = { credentials, date, key: createSecretKey(key), fixedQuery }
    return this.day
  }
}

/** S3's URI encoding: RFC 3986 unreserved characters stay, everything else is %XX. */
export function rfc3986 (value: string): string {
  const encoded = encodeURIComponent(value)
  return /[!'()*]/.test(encoded) ? encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded
}
