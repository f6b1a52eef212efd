import { createPublicKey, type KeyObject } from 'node:crypto'
import { compactVerify, createLocalJWKSet, errors, type CompactJWSHeaderParameters, type JSONWebKeySet } from 'jose'
import { JWS_TYPE } from './answer-signer.ts'
import { contentDigest, coveredComponents, signatureBase, signatureParams, SIGNATURE_LABEL, verifyBytes } from './message-signature.ts'
import { ALGORITHM_NAMES, SIGNING_ALGORITHMS, type SigningAlgorithm } from './signing-key.ts'

/** Why a signature does not check; one line, for the verifier's report. */
export class VerificationError extends Error {
  override readonly name = 'VerificationError'
}

/** A signature's validity window (seconds since the epoch) and the key that made it. */
export interface Validity {
  readonly kid: string
  readonly signedAt: number
  readonly expiresAt: number
}

/** Clocks differ: a signature made up to a minute "in the future" is still taken. */
const CLOCK_SKEW_SECONDS = 60

/** cpxd's own `Signature-Input`, the only form taken: anything else is refused, not interpreted. */
const SIGNATURE_INPUT = new RegExp(`^${SIGNATURE_LABEL}=\\(([^)]*)\\);created=(\\d{1,12});expires=(\\d{1,12});keyid="([A-Za-z0-9_-]{1,128})";alg="([a-z0-9-]{1,32})"$`)
const SIGNATURE = new RegExp(`^${SIGNATURE_LABEL}=:([A-Za-z0-9+/]+={0,2}):$`)

export interface ReceivedAnswer {
  readonly status: number
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: Buffer
  /** The path the request was made on. */
  readonly requestPath: string
}

/**
 * Checks an answer's RFC 9421 signature as cpxd makes it: the body against `Content-Digest`, the
 * covered components (the request path too, for anything but `/cpx`), the key, and the window.
 */
export function verifyMessageSignature (answer: ReceivedAnswer, jwks: JSONWebKeySet, atSeconds: number): Validity {
  const digest = answer.headers['content-digest']
  if (digest === undefined) throw new VerificationError('the answer has no Content-Digest header')
  if (digest !== contentDigest(answer.body)) throw new VerificationError('the body does not match its Content-Digest: it was changed after signing')
  const input = SIGNATURE_INPUT.exec(answer.headers['signature-input'] ?? '')
  const signature = SIGNATURE.exec(answer.headers.signature ?? '')
  if (input === null || signature === null) throw new VerificationError('the answer carries no cpx signature (Signature-Input and Signature headers)')
  const [, list, created, expires, kid, alg] = input as unknown as [string, string, string, string, string, string]
  const contentType = answer.headers['content-type'] ?? ''
  const components = coveredComponents({ status: answer.status, contentType, contentDigest: digest, requestPath: answer.requestPath === '/cpx' ? undefined : answer.requestPath })
  if (list !== components.map(([name]) => name).join(' ')) throw new VerificationError(`the signature covers (${list}), not what a cpxd answer on ${answer.requestPath} must cover`)
  const { key, algorithm } = keyFor(jwks, kid)
  if (ALGORITHM_NAMES[algorithm].http !== alg) throw new VerificationError(`the signature says alg "${alg}", but key ${kid} is ${ALGORITHM_NAMES[algorithm].http}`)
  const params = signatureParams(components, { created: Number(created), expires: Number(expires), keyid: kid, algorithm })
  const bytes = Buffer.from(signature[1] as string, 'base64')
  if (bytes.toString('base64') !== signature[1] || !verifyBytes(algorithm, key, Buffer.from(signatureBase(components, params)), bytes)) {
    throw new VerificationError(`the HTTP signature does not verify with key ${kid}: the status, content type or path was changed, or another key signed it`)
  }
  return checkWindow({ kid, signedAt: Number(created), expiresAt: Number(expires) }, atSeconds)
}

/** A verified JWS: its protected header and its payload, the document's exact bytes. */
export interface VerifiedDocument extends Validity {
  readonly header: CompactJWSHeaderParameters & Record<string, unknown>
  readonly payload: Buffer
}

/** The protected header without verifying anything, to learn the issuer (and so where its keys are). */
export function unverifiedHeader (jws: string): Record<string, unknown> {
  try {
    const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString()) as unknown
    if (typeof header === 'object' && header !== null && !Array.isArray(header)) return header as Record<string, unknown>
  } catch {}
  throw new VerificationError('not a compact JWS: its header is not a JSON object')
}

/** Checks a compact JWS as cpxd makes it: canonical base64url, `typ`, integer `iat` and `exp`, the key and the window. */
export async function verifyDocument (jws: string, jwks: JSONWebKeySet, atSeconds: number): Promise<VerifiedDocument> {
  const segments = jws.split('.')
  if (segments.length !== 3 || segments.some((segment) => segment === '' || Buffer.from(segment, 'base64url').toString('base64url') !== segment)) {
    throw new VerificationError('not a compact JWS in canonical base64url (three segments, no padding)')
  }
  let verified: Awaited<ReturnType<typeof compactVerify>>
  try {
    verified = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: SIGNING_ALGORITHMS.map((a) => ALGORITHM_NAMES[a].jws) })
  } catch (err) {
    if (err instanceof errors.JWKSNoMatchingKey) throw new VerificationError(`no published key has kid ${String(unverifiedHeader(jws).kid)}`)
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new VerificationError('the JWS signature does not verify: the document or its header was changed, or another key signed it')
    throw new VerificationError(`the JWS cannot be verified: ${(err as Error).message}`)
  }
  const header = verified.protectedHeader as VerifiedDocument['header']
  if (header.typ !== JWS_TYPE) throw new VerificationError(`the JWS typ is ${JSON.stringify(header.typ)}, not "${JWS_TYPE}": it is not a signed posture document`)
  if (!Number.isInteger(header.iat) || !Number.isInteger(header.exp)) throw new VerificationError('the JWS header needs integer iat and exp')
  const validity = { kid: String(header.kid), signedAt: header.iat as number, expiresAt: header.exp as number }
  return { ...checkWindow(validity, atSeconds), header, payload: Buffer.from(verified.payload) }
}

function checkWindow (validity: Validity, atSeconds: number): Validity {
  if (validity.signedAt > atSeconds + CLOCK_SKEW_SECONDS) throw new VerificationError(`signed at ${isoSeconds(validity.signedAt)}, after ${isoSeconds(atSeconds)}`)
  if (atSeconds >= validity.expiresAt) throw new VerificationError(`the signature expired at ${isoSeconds(validity.expiresAt)}`)
  return validity
}

export function isoSeconds (seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}

function keyFor (jwks: JSONWebKeySet, kid: string): { key: KeyObject, algorithm: SigningAlgorithm } {
  const jwk = jwks.keys.find((candidate) => candidate.kid === kid)
  if (jwk === undefined) throw new VerificationError(`no published key has kid ${kid}`)
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' })
    if (key.asymmetricKeyType === 'ed25519') return { key, algorithm: 'ed25519' }
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { key, algorithm: 'es256' }
  } catch {}
  throw new VerificationError(`key ${kid} is not an Ed25519 or P-256 public key`)
}
