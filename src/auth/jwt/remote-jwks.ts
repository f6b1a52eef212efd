import { createLocalJWKSet, errors, type JSONWebKeySet, type JWSHeaderParameters, type FlattenedJWSInput, type CryptoKey, type KeyObject } from 'jose'

/** Largest JWKS document cpxd accepts; real ones are a few KiB. */
const MAX_JWKS_BYTES = 256 * 1024

export interface RemoteJwksOptions {
  /** Keys older than this are refreshed before use (if the refresh fails they are still used). */
  readonly maxAgeMs: number
  /** An unknown `kid` triggers a refresh at most this often, so junk tokens cannot hammer the IdP. */
  readonly cooldownMs: number
  readonly timeoutMs: number
  /** Told when a refresh fails (never given a token). */
  readonly onRefreshError?: (reason: string) => void
  /** A fetch of the JWKS that succeeded (for the refresh metrics). */
  readonly onRefreshed?: () => void
}

/** No key can be had: the JWKS endpoint is down and nothing usable is cached. Answered with 503. */
export class JwksUnavailableError extends Error {
  override readonly name = 'JwksUnavailableError'
}

type LocalSet = ReturnType<typeof createLocalJWKSet>
type Key = CryptoKey | KeyObject

/**
 * A JWKS fetched over HTTP, resolved with jose's createLocalJWKSet. Unlike jose's remote set, a
 * failed refresh keeps the last keys working (an IdP outage must not lock every customer out),
 * and "no key at all" is told apart (JwksUnavailableError -> 503) from "no such key" (401).
 * Redirects are not followed, and the body is size-capped and must be a valid JWKS.
 */
export class RemoteJwks {
  private readonly url: string
  private readonly options: RemoteJwksOptions
  private local: LocalSet | undefined
  private fetchedAt = Number.NEGATIVE_INFINITY
  private attemptedAt = Number.NEGATIVE_INFINITY
  private pending: Promise<void> | undefined

  constructor (url: string, options: RemoteJwksOptions) {
    this.url = url
    this.options = options
  }

  /** jose's key-resolver signature, for jwtVerify. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<Key> => {
    if (this.local === undefined || Date.now() - this.fetchedAt > this.options.maxAgeMs) {
      await this.refreshQuietly()
    }
    const local = this.local
    if (local === undefined) throw new JwksUnavailableError('no JWKS has been fetched yet')
    try {
      return await local(header, token)
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || Date.now() - this.attemptedAt < this.options.cooldownMs) throw err
      // A kid we do not know may be a freshly rotated key: look once, then decide.
      if (!await this.refreshQuietly()) throw new JwksUnavailableError('unknown kid and the JWKS cannot be fetched')
      return await (this.local as LocalSet)(header, token)
    }
  }

  /** Refreshes now; true on success. Concurrent callers share one fetch. */
  private async refreshQuietly (): Promise<boolean> {
    this.pending ??= this.refresh().finally(() => { this.pending = undefined })
    try {
      await this.pending
      this.options.onRefreshed?.()
      return true
    } catch (err) {
      this.options.onRefreshError?.((err as Error).message)
      return false
    }
  }

  private async refresh (): Promise<void> {
    this.attemptedAt = Date.now()
    const response = await fetch(this.url, {
      redirect: 'manual',
      headers: { accept: 'application/jwk-set+json, application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs)
    })
    if (response.status !== 200) throw new Error(`JWKS answered HTTP ${response.status}`)
    const text = await response.text()
    if (Buffer.byteLength(text) > MAX_JWKS_BYTES) throw new Error('JWKS is larger than 256 KiB')
    const local = createLocalJWKSet(JSON.parse(text) as JSONWebKeySet)
    this.local = local
    this.fetchedAt = Date.now()
  }
}
