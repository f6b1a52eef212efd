import { constants, createReadStream, fstatSync, lstatSync, closeSync, openSync, realpathSync, type Stats } from 'node:fs'
import { relative, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { EvidenceChangedError, EvidenceLocationError, type EvidenceBackend, type EvidenceObject } from './backend.ts'

/** A local evidence file: where it is and which file it was when it was located. */
export interface LocalObject extends EvidenceObject {
  readonly path: string
}

/**
 * The `local` backend: a folder. A location names a regular file reached from the folder through
 * plain folders only: no `..`, and no symbolic link anywhere on the way, not even one that stays
 * inside (a link can be re-pointed at any moment). Serving opens the file once, without following
 * a link, and checks that the descriptor is the very file that was hashed before a byte is sent.
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
    const path = resolve(this.root, location)
    if (!path.startsWith(this.root + sep)) throw new EvidenceLocationError('outside_root', `${location} is outside the evidence folder`)
    let stat: Stats | undefined
    let walked = this.root
    for (const part of relative(this.root, path).split(sep)) {
      walked = `${walked}${sep}${part}`
      stat = lstatOrUndefined(walked)
      if (stat === undefined) throw new EvidenceLocationError('not_found', `${location} does not exist in the evidence folder`)
      if (stat.isSymbolicLink()) throw new EvidenceLocationError('outside_root', `${location} goes through a symbolic link; cpxd serves only files reached without one`)
    }
    if (stat === undefined || !stat.isFile()) throw new EvidenceLocationError('not_found', `${location} is not a file`)
    return { location, path, size: stat.size, cacheKey: identity(path, stat) }
  }

  /** Opens the file as it was located, or throws EvidenceChangedError: never another file's bytes. */
  async open (object: LocalObject): Promise<Readable> {
    let fd: number
    try {
      // O_NOFOLLOW: a symlink swapped in at the last component fails here (ELOOP).
      fd = openSync(object.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    } catch {
      throw new EvidenceChangedError(`${object.location} cannot be opened as it was indexed`)
    }
    // The descriptor is what will be read, so its identity is what is checked: a folder swapped
    // for a link higher up, or a file replaced or edited, is another inode or another ctime.
    if (identity(object.path, fstatSync(fd)) !== object.cacheKey) {
      closeSync(fd)
      throw new EvidenceChangedError(`${object.location} changed since it was indexed`)
    }
    return createReadStream('', { fd, start: 0, end: Math.max(0, object.size - 1), autoClose: true })
  }

  async unchanged (object: LocalObject): Promise<boolean> {
    const stat = lstatOrUndefined(object.path)
    return stat !== undefined && identity(object.path, stat) === object.cacheKey
  }
}

function lstatOrUndefined (path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch {
    return undefined
  }
}

/**
 * Which file, in which state: device and inode say which file, size and mtime what it holds, and
 * ctime catches an edit whose mtime was set back (`touch -r`), since no one can set ctime.
 */
function identity (path: string, stat: Stats): string {
  return `local:${path}:${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`
}
