import { etagOf } from '../etag.ts'
import { contentDigest, signBytes, signResponse, type SignatureHeaders } from './message-signature.ts'
import { ALGORITHM_NAMES, type SigningKey } from './signing-key.ts'

/** The media type of a compact JWS (RFC 7515 section 9.2.1). */
export const JWS_CONTENT_TYPE = 'application/jose'
/** The JWS `typ` of a signed posture document: explicit, so it is never taken for a JWT. */
export const JWS_TYPE = 'cpx+jws'

/** A body as sent: its bytes, its type, and its ETag ('' for none). */
export interface SignableBody {
  readonly body: Buffer
  readonly contentType: string
  readonly etag: string
}

/** Who a document is about and for, in the JWS protected header. */
export interface DocumentSubject {
  /** Undefined for the vendor's own posture (`/cpx`). */
  readonly tenant: string | undefined
  readonly tier: string
}

interface SignedOnce<T> {
  readonly value: T
  readonly refreshAt: number
}

/**
 * Signs answers with one key. A body many requests share (a public or customer answer, built once
 * per posture version) is signed once, and again only when half of its signature's validity has
 * passed, so that no cached signature is ever close to expiring; a body made for one request (an
 * auditor's, with fresh links) is signed each time. A new key (a reload) means a new signer, so
 * nothing signed with the old key is handed out after it.
 */
export class AnswerSigner {
  readonly key: SigningKey
  readonly validitySeconds: number
  private readonly issuer: () => string
  private readonly headers = new WeakMap<Buffer, Map<string, SignedOnce<SignatureHeaders>>>()
  private readonly documents = new WeakMap<Buffer, Map<string, SignedOnce<SignableBody>>>()

  constructor (key: SigningKey, validitySeconds: number, issuer: () => string) {
    this.key = key
    this.validitySeconds = validitySeconds
    this.issuer = issuer
  }

  /** `Content-Digest`, `Signature-Input` and `Signature` for a 200 answer. */
  sign (answer: SignableBody, requestPath: string | undefined, shared: boolean): SignatureHeaders {
    if (!shared) return this.signNow(answer, requestPath, nowSeconds())
    return this.once(this.headers, answer.body, requestPath ?? '', (now) => this.signNow(answer, requestPath, now))
  }

  /** The answer as a compact JWS whose payload is exactly its JSON bytes. */
  document (json: SignableBody, subject: DocumentSubject, shared: boolean): SignableBody {
    if (!shared) return this.documentNow(json, subject, nowSeconds())
    const key = `${subject.tenant ?? ''}|${subject.tier}`
    return this.once(this.documents, json.body, key, (now) => this.documentNow(json, subject, now))
  }

  private once<T> (cache: WeakMap<Buffer, Map<string, SignedOnce<T>>>, body: Buffer, key: string, make: (now: number) => T): T {
    const now = nowSeconds()
    let byKey = cache.get(body)
    if (byKey === undefined) {
      byKey = new Map()
      cache.set(body, byKey)
    }
    const cached = byKey.get(key)
    if (cached !== undefined && now < cached.refreshAt) return cached.value
    const value = make(now)
    byKey.set(key, { value, refreshAt: now + Math.floor(this.validitySeconds / 2) })
    return value
  }

  private signNow (answer: SignableBody, requestPath: string | undefined, now: number): SignatureHeaders {
    return signResponse(this.key, { status: 200, contentType: answer.contentType, contentDigest: contentDigest(answer.body), requestPath }, now, this.validitySeconds)
  }

  /**
   * RFC 7515 section 7.1's compact serialization, signed by node:crypto (as `sign` does for the
   * HTTP signature). jose's CompactSign made the same bytes at ten times the cost for a 30 kB answer
   * (1.8 ms against 0.18 ms), which an auditor's answer, signed per request, pays every time; jose
   * verifies them in `cpxd verify`, and the tests check them with Python, Go and node:crypto too.
   */
  private documentNow (json: SignableBody, subject: DocumentSubject, now: number): SignableBody {
    const header = {
      alg: ALGORITHM_NAMES[this.key.algorithm].jws,
      kid: this.key.kid,
      typ: JWS_TYPE,
      cty: 'json',
      iss: this.issuer(),
      iat: now,
      exp: now + this.validitySeconds,
      ...(subject.tenant === undefined ? {} : { cpxd_tenant: subject.tenant }),
      cpxd_tier: subject.tier
    }
    const signingInput = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${json.body.toString('base64url')}`
    const signature = signBytes(this.key.algorithm, this.key.privateKey, Buffer.from(signingInput))
    const body = Buffer.from(`${signingInput}.${signature.toString('base64url')}`)
    const etag = json.etag === '' ? '' : etagOf(body)
    return { body, contentType: JWS_CONTENT_TYPE, etag }
  }
}

function nowSeconds (): number {
  return Math.floor(Date.now() / 1000)
}
