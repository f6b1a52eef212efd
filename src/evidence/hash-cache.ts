import { createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createFileOnce, writeFileAtomic } from '../fs/atomic-write.ts'

/** What cpxd remembers about one evidence object. */
export interface HashEntry {
  readonly sha256: string
  readonly size: number
}

const KEY_FILE = '.hmac.key'
const KEY_BYTES = 32
const ENTRY_DIR = 'entries'
/** writeFileAtomic names its temp files `.<name>.tmp-<random>`. */
const TEMP_MARK = '.tmp-'
/** A publish takes milliseconds; a temp file older than this belongs to a writer that died. */
export const TEMP_GRACE_MS = 3_600_000
const FORMAT_VERSION = 1

interface SignedEntry {
  v: number
  key: string
  sha256: string
  size: number
  mac: string
}

/**
 * The on-disk index of evidence hashes, an HMAC-authenticated cache:
 * - every entry is HMAC-SHA256-signed with a per-installation key (32 random bytes, mode 0600),
 *   created race-free: written to a temp file, then hard-linked into place, which cannot replace
 *   an existing key, so concurrent first users all end up with the winner's key;
 * - an entry records the cache key it was written for; a valid entry found under another key's
 *   path is a miss and is removed (the MAC alone proves integrity, not placement);
 * - entries are published atomically (temp file, fsync, rename) so a reader never sees half a file;
 * - unsigned, tampered or unreadable entries are discarded; temp files of dead writers are
 *   reclaimed after an hour;
 * - an entry's file name is the SHA-256 of its key, so no input can place a file outside the folder.
 * Cache keys name an object's identity (S3 ETag or version, GCS generation, local size + mtime +
 * inode), so a changed object misses and is hashed again.
 */
export class HashCache {
  private readonly dir: string
  private readonly entries: string
  /** Imported once, not on every MAC (see GatewaySigner). */
  private readonly key: KeyObject

  private constructor (dir: string, key: Buffer) {
    this.dir = dir
    this.entries = join(dir, ENTRY_DIR)
    this.key = createSecretKey(key)
  }

  static open (dir: string): HashCache {
    mkdirSync(join(dir, ENTRY_DIR), { recursive: true, mode: 0o700 })
    return new HashCache(dir, loadOrCreateKey(dir))
  }

  /** The file an entry for `cacheKey` lives in: always directly inside the entries folder. */
  pathFor (cacheKey: string): string {
    return join(this.entries, `${createHash('sha256').update(cacheKey).digest('hex')}.json`)
  }

  get (cacheKey: string): HashEntry | undefined {
    const path = this.pathFor(cacheKey)
    let signed: SignedEntry
    try {
      signed = JSON.parse(readFileSync(path, 'utf8')) as SignedEntry
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') rmSync(path, { force: true })
      return undefined
    }
    if (!this.verify(signed) || signed.key !== cacheKey) {
      rmSync(path, { force: true })
      return undefined
    }
    return { sha256: signed.sha256, size: signed.size }
  }

  set (cacheKey: string, entry: HashEntry): void {
    const body = { v: FORMAT_VERSION, key: cacheKey, sha256: entry.sha256, size: entry.size }
    const signed: SignedEntry = { ...body, mac: this.mac(body) }
    writeFileAtomic(this.pathFor(cacheKey), JSON.stringify(signed), 0o600)
  }

  /**
   * Removes what must not stay: entries that fail their MAC, sit at another key's path, or cannot
   * be read, and temp files older than the grace period (a writer that died mid-publish).
   * Returns how many files were removed.
   */
  clean (now = Date.now()): number {
    let removed = 0
    for (const name of readdirSync(this.entries)) {
      const path = join(this.entries, name)
      if (name.startsWith('.') && name.includes(TEMP_MARK)) {
        if (now - statSync(path).mtimeMs > TEMP_GRACE_MS) {
          rmSync(path, { force: true })
          removed++
        }
        continue
      }
      let keep = false
      try {
        const signed = JSON.parse(readFileSync(path, 'utf8')) as SignedEntry
        keep = this.verify(signed) && this.pathFor(signed.key) === path
      } catch {}
      if (!keep) {
        rmSync(path, { force: true })
        removed++
      }
    }
    return removed
  }

  /** Where the cache lives, for messages. */
  get location (): string {
    return this.dir
  }

  private verify (signed: SignedEntry): boolean {
    if (typeof signed !== 'object' || signed === null || signed.v !== FORMAT_VERSION) return false
    if (typeof signed.key !== 'string' || typeof signed.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(signed.sha256)) return false
    if (!Number.isSafeInteger(signed.size) || signed.size < 0 || typeof signed.mac !== 'string') return false
    const expected = Buffer.from(this.mac({ v: signed.v, key: signed.key, sha256: signed.sha256, size: signed.size }), 'hex')
    const actual = Buffer.from(signed.mac, 'hex')
    return actual.length === expected.length && timingSafeEqual(actual, expected)
  }

  /** The MAC covers a fixed-order serialization, so it does not depend on how a file was written. */
  private mac (body: Omit<SignedEntry, 'mac'>): string {
    return createHmac('sha256', this.key)
      .update(JSON.stringify([body.v, body.key, body.sha256, body.size]))
      .digest('hex')
  }
}

function loadOrCreateKey (dir: string): Buffer {
  const keyPath = join(dir, KEY_FILE)
  const existing = readKey(keyPath)
  if (existing !== undefined) return existing
  createFileOnce(keyPath, randomBytes(KEY_BYTES), 0o600)
  const key = readKey(keyPath)
  if (key === undefined) throw new Error(`hash cache key ${keyPath} vanished while being created`)
  return key
}

function readKey (path: string): Buffer | undefined {
  let key: Buffer
  try {
    key = readFileSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  // The key appears whole (it is linked in after fsync), so a wrong size is corruption, not a race.
  if (key.length !== KEY_BYTES) throw new Error(`hash cache key ${path} is corrupt (${key.length} bytes, expected ${KEY_BYTES}); remove the cache folder to start afresh`)
  return key
}
