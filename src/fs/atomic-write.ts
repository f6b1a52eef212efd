import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'

/**
 * Creates a file that must not exist yet ('wx'), writes it, and fsyncs it before closing; a file
 * left half-written by a failure is removed. The first half of an atomic publish.
 */
export function writeNewFileDurably (path: string, data: string | Uint8Array, mode: number): void {
  const fd = openSync(path, 'wx', mode)
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
    fsyncSync(fd)
  } catch (err) {
    closeSync(fd)
    rmSync(path, { force: true })
    throw err
  }
  closeSync(fd)
}

/**
 * Writes a file so that readers see either the old content or the new, never a part: write a
 * temp file beside it (same filesystem), fsync it, rename over the target, fsync the folder.
 */
export function writeFileAtomic (file: string, data: string | Uint8Array, mode = 0o644): void {
  const dir = dirname(file)
  const temp = join(dir, `.${basename(file)}.tmp-${randomBytes(6).toString('hex')}`)
  writeNewFileDurably(temp, data, mode)
  try {
    renameSync(temp, file)
  } catch (err) {
    rmSync(temp, { force: true })
    throw err
  }
  const dirFd = openSync(dir, 'r')
  try {
    fsyncSync(dirFd)
  } finally {
    closeSync(dirFd)
  }
}

/**
 * Publishes a file only if none exists at `path` (a key made on first start): written whole to a
 * temp file, then hard-linked into place. link(2) cannot replace an existing file, so when several
 * processes race, the first one wins and the others keep its file. Returns whether this call
 * created it.
 */
export function createFileOnce (path: string, data: string | Uint8Array, mode: number): boolean {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`)
  writeNewFileDurably(temp, data, mode)
  try {
    linkSync(temp, path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return false
  } finally {
    rmSync(temp, { force: true })
  }
}
