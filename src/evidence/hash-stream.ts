import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'

/** SHA-256 and size of a stream, read once in chunks: an object of any size costs constant memory. */
export async function hashStream (stream: Readable): Promise<{ sha256: string, size: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of stream) {
    const bytes = chunk as Buffer
    hash.update(bytes)
    size += bytes.length
  }
  return { sha256: hash.digest('hex'), size }
}
