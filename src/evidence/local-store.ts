import { createReadStream, realpathSync, statSync } from 'node:fs'
import { resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { EvidenceLocationError, type EvidenceBackend, type EvidenceObject } from './backend.ts'

/** A local evidence file: where it is and what it is now. */
export interface LocalObject extends EvidenceObject {
  readonly path: string
}

/**
 * The `local` backend: a folder. A location can never name anything outside it, neither by
 * `..` nor by a symlink that leads out (both the lexical path and the real path are checked).
 * Local evidence is always delivered through cpxd's gateway.
 */
export class LocalEvidenceStore implements EvidenceBackend<LocalObject> {
  readonly name = 'local'
  readonly delivery = 'gateway'
  readonly root: string

  constructor (root: string) {
    this.root = realpathSync(root)
  }

  async locate (location: string): Promise<LocalObject> {
    return this.locateSync(location)
  }

  locateSync (location: string): LocalObject {
    const lexical = resolve(this.root, location)
    if (!within(this.root, lexical)) throw new EvidenceLocationError('outside_root', `${location} is outside the evidence folder`)
    let real: string
    try {
      real = realpathSync(lexical)
    } catch {
      throw new EvidenceLocationError('not_found', `${location} does not exist in the evidence folder`)
    }
    if (!within(this.root, real)) throw new EvidenceLocationError('outside_root', `${location} leads outside the evidence folder`)
    const stat = statSync(real)
    if (!stat.isFile()) throw new EvidenceLocationError('not_found', `${location} is not a file`)
    return { location, path: real, size: stat.size, cacheKey: identity(real, stat) }
  }

  async open (object: LocalObject): Promise<Readable> {
    return createReadStream(object.path)
  }

  async unchanged (object: LocalObject): Promise<boolean> {
    try {
      return identity(object.path, statSync(object.path)) === object.cacheKey
    } catch {
      return false
    }
  }
}

function identity (path: string, stat: { size: number, mtimeMs: number, ino: number }): string {
  return `local:${path}:${stat.size}:${stat.mtimeMs}:${stat.ino}`
}

function within (root: string, path: string): boolean {
  return path.startsWith(root + sep)
}
