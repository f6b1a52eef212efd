import { KeyObject, sign } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'

export const ISSUER = 'https://id.test.example/'
export const AUDIENCE = 'cpxd-test'

export interface SigningKey {
  readonly kid: string
  readonly alg: string
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
}

export async function makeKey (alg = 'ES256', kid = `k-${Math.random().toString(36).slice(2, 8)}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

/**
 * A real HTTP server publishing a JWKS, as an identity provider would. Its keys can change and
 * it can go down; it counts what it was asked for, so a test can prove a URL was never fetched.
 */
export class JwksServer {
  keys: JWK[] = []
  down = false
  readonly hits = new Map<string, number>()
  private server: Server | undefined
  url = ''

  async start (): Promise<this> {
    this.server = createServer((request, response) => {
      const path = request.url ?? '/'
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1)
      if (this.down) {
        response.writeHead(503).end()
        return
      }
      response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: this.keys }))
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    const { port } = this.server.address() as { port: number }
    this.url = `http://127.0.0.1:${port}`
    return this
  }

  /** A started server publishing the public halves of `keys`. */
  static async serving (...keys: SigningKey[]): Promise<JwksServer> {
    const server = await new JwksServer().start()
    server.keys = keys.map((key) => key.publicJwk)
    return server
  }

  hitsOf (path: string): number {
    return this.hits.get(path) ?? 0
  }

  async stop (): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()))
  }
}

export interface TokenOptions {
  readonly claims?: JWTPayload
  readonly header?: Record<string, unknown>
  /** Seconds from now; null leaves the claim out. */
  readonly exp?: number | null
  readonly iat?: number | null
  readonly nbf?: number
  readonly iss?: string
  readonly aud?: string
  readonly sub?: string | null
}

/** A real signed token, with every claim overridable for the attack tests. */
export async function signToken (key: SigningKey, opts: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const payload: JWTPayload = { cpx_tenants: ['acme'], cpx_tier: 'customer', ...opts.claims }
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...opts.header })
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
  if (opts.sub !== null) jwt.setSubject(opts.sub ?? 'grc-tool@acme')
  if (opts.iat !== null) jwt.setIssuedAt(now + (opts.iat ?? 0))
  if (opts.exp !== null) jwt.setExpirationTime(now + (opts.exp ?? 600))
  if (opts.nbf !== undefined) jwt.setNotBefore(now + opts.nbf)
  return jwt.sign(key.privateKey)
}

export function b64url (value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
}

/**
 * Signs an ES256 token by hand, for headers jose refuses to produce (an unknown `crit`): JOSE's
 * ES256 signature is r||s (IEEE P1363), not DER.
 */
export function signRawEs256 (key: SigningKey, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64url(header)}.${b64url(payload)}`
  const signature = sign('sha256', Buffer.from(input), { key: KeyObject.from(key.privateKey), dsaEncoding: 'ieee-p1363' })
  return `${input}.${signature.toString('base64url')}`
}
