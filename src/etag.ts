import { createHash } from 'node:crypto'

/** A strong ETag for bytes cpxd sends: 162 bits of their SHA-256, base64url, quoted. */
export function etagOf (bytes: Uint8Array | string): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`
}
