import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'

/** The signature algorithms cpxd signs with, by their RFC 9421 names. */
export const SIGNING_ALGORITHMS = ['ed25519', 'es256'] as const
export type SigningAlgorithm = typeof SIGNING_ALGORITHMS[number]

/** The same algorithm in each of the two standards cpxd signs with. */
export const ALGORITHM_NAMES: Record<SigningAlgorithm, { readonly http: string, readonly jws: string }> = {
  ed25519: { http: 'ed25519', jws: 'EdDSA' },
  es256: { http: 'ecdsa-p256-sha256', jws: 'ES256' }
}

/** A public key as the JWKS publishes it: never a private member. */
export interface PublishedKey {
  readonly kid: string
  readonly algorithm: SigningAlgorithm
  readonly jwk: JWK
}

/** The key answers are signed with, and what is published of it. */
export interface SigningKey extends PublishedKey {
  readonly privateKey: KeyObject
}

/** Why a key text could not be used; the caller names the file or variable. */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError'
}

/** A new private key as a JWK (JSON text, one line and a newline), for a key file. */
export function generateSigningKeyText (algorithm: SigningAlgorithm): string {
  const { privateKey } = algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return `${JSON.stringify(privateKey.export({ format: 'jwk' }))}\n`
}

/** A private key from a JWK (with `d`) or a PKCS#8 PEM: Ed25519 or P-256 only. */
export async function parseSigningKey (text: string): Promise<SigningKey> {
  const privateKey = keyFromText(text, 'private')
  if (privateKey.type !== 'private') throw new SigningKeyError('holds a public key; the signing key must be the private one')
  const published = await publishedKeyOf(createPublicKey(privateKey))
  return { ...published, privateKey }
}

/**
 * The public part of a key, from any of the forms a key file may take (public or private JWK,
 * SPKI or PKCS#8 PEM): a retired key may be kept as either.
 */
export async function parsePublicKey (text: string): Promise<PublishedKey> {
  const key = keyFromText(text, 'public')
  return publishedKeyOf(key.type === 'private' ? createPublicKey(key) : key)
}

function keyFromText (text: string, want: 'private' | 'public'): KeyObject {
  const trimmed = text.trim()
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as JsonWebKey
      return typeof jwk.d === 'string' ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' })
    }
    if (trimmed.includes('PRIVATE KEY-----')) return createPrivateKey(trimmed)
    if (want === 'public' && trimmed.includes('PUBLIC KEY-----')) return createPublicKey(trimmed)
  } catch {
    throw new SigningKeyError('is not a readable key (a JWK, or a PKCS#8 PEM)')
  }
  throw new SigningKeyError(want === 'private' ? 'must hold a private key: a JWK with "d", or a PKCS#8 PEM' : 'must hold a key: a JWK, or a PEM')
}

async function publishedKeyOf (publicKey: KeyObject): Promise<PublishedKey> {
  const algorithm = algorithmOf(publicKey)
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' })
  const base = { kty, crv, x, ...(y === undefined ? {} : { y }) } as JWK
  const kid = await calculateJwkThumbprint(base, 'sha256')
  return { kid, algorithm, jwk: { ...base, kid, alg: ALGORITHM_NAMES[algorithm].jws, use: 'sig' } }
}

function algorithmOf (key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519'
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'es256'
  throw new SigningKeyError(`is a ${key.asymmetricKeyType ?? 'unknown'} key; cpxd signs with Ed25519 or ECDSA P-256`)
}
