import { createReadStream, realpathSync, statSync, type ReadStream } from 'node:fs'
import { resolve, sep } from 'node:path'

/** Where a local evidence object is and what it is now: its cache key changes when it does. */
export interface LocalObject {
  readonly path: string
  readonly size: number
  /** size + mtime + inode: a rewritten or replaced file gets a new key and is hashed again. */
  readonly cacheKey: string
}

export class EvidenceLocationError extends Error {
  override readonly name = 'EvidenceLocationError'
}

/**
 * The `local` backend: a folder. A location can never name anything outside it, neither by
 * `..` nor by a symlink that leads out (both the lexical path and the real path are checked).
 */
export class LocalEvidenceStore {
  readonly root: string

  constructor (root: string) {
    this.root = realpathSync(root)
  }

  locate (location: string): LocalObject {
    const lexical = resolve(this.root, location)
    if (!within(this.root, lexical)) throw new EvidenceLocationError(`${location} is outside the evidence folder`)
    let real: string
    try {
      real = realpathSync(lexical)
    } catch {
      throw new EvidenceLocationError(`${location} does not exist in the evidence folder`)
    }
    if (!within(this.root, real)) throw new EvidenceLocationError(`${location} leads outside the evidence folder`)
    const stat = statSync(real)
    if (!stat.isFile()) throw new EvidenceLocationError(`${location} is not a file`)
    return { path: real, size: stat.size, cacheKey: `local:${real}:${stat.size}:${stat.mtimeMs}:${stat.ino}` }
  }

  /** False once the file was rewritten, replaced or removed since it was located. */
  static unchanged (object: LocalObject): boolean {
    try {
      const stat = statSync(object.path)
      return `local:${object.path}:${stat.size}:${stat.mtimeMs}:${stat.ino}` === object.cacheKey
    } catch {
      return false
    }
  }

  open (object: LocalObject): ReadStream {
    return createReadStream(object.path)
  }
}

function within (root: string, path: string): boolean {
  return path.startsWith(root + sep)
}
