import { createHash, sign, verify, type KeyObject } from 'node:crypto'
import { ALGORITHM_NAMES, type SigningAlgorithm, type SigningKey } from './signing-key.ts'

/** The label of cpxd's signature in `Signature-Input` and `Signature`. */
export const SIGNATURE_LABEL = 'cpx'

/** What an answer's signature covers: the status, the body (by its digest), and its type. */
export interface SignedResponse {
  readonly status: number
  readonly contentType: string
  /** The `Content-Digest` header value (`contentDigest`). */
  readonly contentDigest: string
  /** The request's path, for answers bound to it (tenant answers); undefined for none. */
  readonly requestPath?: string | undefined
}

export interface SignatureHeaders {
  readonly 'content-digest': string
  readonly 'signature-input': string
  readonly signature: string
}

/** RFC 9530 `Content-Digest` with sha-256: a structured-field dictionary with one byte sequence. */
export function contentDigest (body: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`
}

/**
 * The covered components in order, with their values, as RFC 9421 section 2.5 lists them. Only
 * the forms cpxd signs exist here, so a verifier built on this never accepts another form.
 */
export function coveredComponents (response: SignedResponse): Array<readonly [string, string]> {
  const components: Array<readonly [string, string]> = [
    ['"@status"', String(response.status)],
    ['"content-type"', response.contentType],
    ['"content-digest"', response.contentDigest]
  ]
  if (response.requestPath !== undefined) components.push(['"@path";req', response.requestPath])
  return components
}

export interface SignatureParameters {
  readonly created: number
  readonly expires: number
  readonly keyid: string
  readonly algorithm: SigningAlgorithm
}

/** The inner list with its parameters: the `Signature-Input` member and the last base line alike. */
export function signatureParams (components: ReadonlyArray<readonly [string, string]>, params: SignatureParameters): string {
  const list = components.map(([name]) => name).join(' ')
  return `(${list});created=${params.created};expires=${params.expires};keyid="${params.keyid}";alg="${ALGORITHM_NAMES[params.algorithm].http}"`
}

/** RFC 9421 section 2.5: one line per component, then `@signature-params`; no trailing newline. */
export function signatureBase (components: ReadonlyArray<readonly [string, string]>, serializedParams: string): string {
  return [...components.map(([name, value]) => `${name}: ${value}`), `"@signature-params": ${serializedParams}`].join('\n')
}

/** Signs an answer; the headers go on the response as they are. */
export function signResponse (key: SigningKey, response: SignedResponse, createdSeconds: number, validitySeconds: number): SignatureHeaders {
  const components = coveredComponents(response)
  const params = signatureParams(components, { created: createdSeconds, expires: createdSeconds + validitySeconds, keyid: key.kid, algorithm: key.algorithm })
  const signature = signBytes(key.algorithm, key.privateKey, Buffer.from(signatureBase(components, params)))
  return {
    'content-digest': response.contentDigest,
    'signature-input': `${SIGNATURE_LABEL}=${params}`,
    signature: `${SIGNATURE_LABEL}=:${signature.toString('base64')}:`
  }
}

/** Ed25519, or ECDSA P-256 with SHA-256 as r||s (the form both RFC 9421 and JWS use). */
export function signBytes (algorithm: SigningAlgorithm, key: KeyObject, data: Buffer): Buffer {
  return algorithm === 'ed25519' ? sign(null, data, key) : sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
}

export function verifyBytes (algorithm: SigningAlgorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  return algorithm === 'ed25519' ? verify(null, data, key, signature) : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
}
