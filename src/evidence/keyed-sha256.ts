import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto'

type SourceData = string | ArrayBuffer | ArrayBufferView

/** Keys seen lately: SigV4 uses a handful (the secret, the day's signing key), so this stays tiny. */
const MAX_KEYS = 64
const keys = new Map<string, KeyObject>()

/**
 * SHA-256 / HMAC-SHA256 for the AWS presigner (its `sha256` option), on node:crypto. The SDK's
 * own implementation passes raw key bytes to createHmac, which imports them anew for every
 * signature: about a third of presigning time. Here each key is imported once and reused.
 */
export class KeyedSha256 {
  private readonly hash: Hash | Hmac

  constructor (secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', keyFor(secret))
  }

  update (data: SourceData): void {
    this.hash.update(toBuffer(data))
  }

  async digest (): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest())
  }

  reset (): void {
    throw new Error('KeyedSha256 is single-use')
  }
}

function keyFor (secret: SourceData): KeyObject {
  const bytes = toBuffer(secret)
  const id = bytes.toString('base64')
  let key = keys.get(id)
  if (key === undefined) {
    key = createSecretKey(bytes)
    keys.set(id, key)
    if (keys.size > MAX_KEYS) keys.delete(keys.keys().next().value as string)
  }
  return key
}

function toBuffer (data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return Buffer.from(data)
}
