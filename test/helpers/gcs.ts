import { createHash, createVerify, generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { scratchDir } from './tmp.ts'

export const GCS_BUCKET = 'cpxd-evidence-gcs'

/**
 * A stand-in for Google's storage JSON API, which cannot run here: object metadata (with a
 * generation that changes on every write) and media downloads. Signatures are not checked by it;
 * tests verify them with the service account's public key instead.
 */
export class FakeGcs {
  private readonly objects = new Map<string, { body: string, generation: number }>()
  private server: Server | undefined
  private nextGeneration = 1_700_000_000_000_000
  endpoint = ''

  put (name: string, body: string): void {
    this.objects.set(name, { body, generation: this.nextGeneration++ })
  }

  async start (): Promise<this> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x')
      const match = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(url.pathname)
      const object = match?.[1] === GCS_BUCKET ? this.objects.get(decodeURIComponent(match[2] as string)) : undefined
      if (object === undefined) {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 404, message: 'No such object' } }))
        return
      }
      if (url.searchParams.get('alt') === 'media') {
        response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(object.body)
        return
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        bucket: GCS_BUCKET, name: decodeURIComponent(match?.[2] as string), size: String(Buffer.byteLength(object.body)), generation: String(object.generation)
      }))
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.endpoint = `http://127.0.0.1:${(this.server?.address() as { port: number }).port}`
    return this
  }

  async stop (): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()))
  }
}

/** A service account key file as Google issues them, with its public half kept for verification. */
export function makeServiceAccount (): { file: string, publicKey: string, email: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
  const email = 'cpxd-evidence@test-project.iam.gserviceaccount.com'
  const file = join(scratchDir(), 'service-account.json')
  writeFileSync(file, JSON.stringify({ type: 'service_account', project_id: 'test-project', client_email: email, private_key: privateKey }))
  return { file, publicKey, email }
}

/**
 * Checks a V4 signed URL from Google's documented algorithm: canonical request, string to sign
 * (GOOG4-RSA-SHA256), then an RSA-SHA256 verification with the service account's public key.
 * https://cloud.google.com/storage/docs/authentication/signatures
 */
export function gcsV4Valid (url: string, publicKey: string): boolean {
  const u = new URL(url)
  const signature = u.searchParams.get('X-Goog-Signature')
  const credential = u.searchParams.get('X-Goog-Credential')
  const date = u.searchParams.get('X-Goog-Date')
  if (signature === null || credential === null || date === null || u.searchParams.get('X-Goog-SignedHeaders') !== 'host') return false
  const scope = credential.split('/').slice(1).join('/')
  const canonicalQuery = [...u.searchParams]
    .filter(([key]) => key !== 'X-Goog-Signature')
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&')
  // The library signs the host name without a port (signer.js: `extensionHeaders.host = fqdn.hostname`);
  // Google's endpoint has none, so there the two agree. Only this test's local endpoint has a port.
  const canonicalRequest = ['GET', u.pathname, canonicalQuery, `host:${u.hostname}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n')
  const stringToSign = ['GOOG4-RSA-SHA256', date, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n')
  return createVerify('RSA-SHA256').update(stringToSign).verify(publicKey, Buffer.from(signature, 'hex'))
}

function rfc3986 (value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
