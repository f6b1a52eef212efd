import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HashCache } from '../../src/evidence/hash-cache.ts'
import { scratchDir } from '../helpers/tmp.ts'

const ENTRY = { sha256: 'a'.repeat(64), size: 42 }

describe('HashCache', () => {
  it('creates a 32-byte key, readable by its owner only, and keeps it across opens', () => {
    const dir = scratchDir()
    HashCache.open(dir).set('k', ENTRY)
    const key = readFileSync(join(dir, '.hmac.key'))
    expect(key).toHaveLength(32)
    expect(statSync(join(dir, '.hmac.key')).mode & 0o777).toBe(0o600)
    expect(HashCache.open(dir).get('k')).toEqual(ENTRY)
    expect(readFileSync(join(dir, '.hmac.key'))).toEqual(key)
  })

  it('refuses a key file of the wrong size', () => {
    const dir = scratchDir({ '.hmac.key': 'short' })
    expect(() => HashCache.open(dir)).toThrow(/is corrupt \(5 bytes, expected 32\)/)
  })

  it('round-trips an entry, and leaves no temp file behind', () => {
    const dir = scratchDir()
    const cache = HashCache.open(dir)
    cache.set('s3:bucket/key@etag1', ENTRY)
    expect(cache.get('s3:bucket/key@etag1')).toEqual(ENTRY)
    expect(cache.get('s3:bucket/key@etag2')).toBeUndefined()
    expect(readdirSync(join(dir, 'entries')).filter((n) => n.startsWith('.'))).toEqual([])
  })

  it('discards an entry whose bytes were changed on disk', () => {
    const cache = HashCache.open(scratchDir())
    cache.set('k', ENTRY)
    const path = cache.pathFor('k')
    writeFileSync(path, readFileSync(path, 'utf8').replace('"size":42', '"size":43'))
    expect(cache.get('k')).toBeUndefined()
    expect(() => statSync(path)).toThrow()
  })

  it('discards an unsigned entry (no MAC) and garbage', () => {
    const cache = HashCache.open(scratchDir())
    writeFileSync(cache.pathFor('k'), JSON.stringify({ v: 1, key: 'k', ...ENTRY }))
    expect(cache.get('k')).toBeUndefined()
    writeFileSync(cache.pathFor('j'), '{not json')
    expect(cache.get('j')).toBeUndefined()
    expect(() => statSync(cache.pathFor('j'))).toThrow()
  })

  it('treats a valid entry copied to another key\'s path as a miss and removes it', () => {
    const cache = HashCache.open(scratchDir())
    cache.set('key-a', ENTRY)
    copyFileSync(cache.pathFor('key-a'), cache.pathFor('key-b'))
    expect(cache.get('key-b')).toBeUndefined()
    expect(() => statSync(cache.pathFor('key-b'))).toThrow()
    expect(cache.get('key-a')).toEqual(ENTRY)
  })

  it('does not accept an entry signed with another installation\'s key', () => {
    const one = HashCache.open(scratchDir())
    const otherDir = scratchDir()
    const other = HashCache.open(otherDir)
    one.set('k', ENTRY)
    copyFileSync(one.pathFor('k'), other.pathFor('k'))
    expect(other.get('k')).toBeUndefined()
  })

  it('clean() reclaims stale temp files, keeps fresh ones, and removes misplaced or bad entries', () => {
    const dir = scratchDir()
    const cache = HashCache.open(dir)
    cache.set('good', ENTRY)
    cache.set('moved', ENTRY)
    copyFileSync(cache.pathFor('moved'), cache.pathFor('elsewhere'))
    writeFileSync(cache.pathFor('bad'), 'garbage')
    const stale = join(dir, 'entries', '.x.json.tmp-aaaa')
    const fresh = join(dir, 'entries', '.y.json.tmp-bbbb')
    writeFileSync(stale, 'partial')
    writeFileSync(fresh, 'in flight')
    const old = new Date(Date.now() - 2 * 3_600_000)
    utimesSync(stale, old, old)
    expect(cache.clean()).toBe(3)
    const left = readdirSync(join(dir, 'entries')).sort()
    expect(left).toEqual(['.y.json.tmp-bbbb', ...[cache.pathFor('good'), cache.pathFor('moved')].map((p) => p.split(sep).pop())].sort())
  })

  it('keeps every entry inside its folder, whatever the key', () => {
    const cache = HashCache.open(scratchDir())
    for (const key of ['../../../etc/passwd', '/etc/shadow', '..', 'a/b\\c', '\u0000', 'x'.repeat(10_000)]) {
      const path = cache.pathFor(key)
      expect(path.startsWith(join(cache.location, 'entries') + sep)).toBe(true)
      expect(path.split(sep).pop()).toMatch(/^[0-9a-f]{64}\.json$/)
    }
  })

  it('converges on one key when several processes open a new cache at once', async () => {
    const dir = scratchDir()
    const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']
    const results = await Promise.all(names.map((name) => new Promise<{ fingerprint: string, self: boolean }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'fixtures', 'hash-cache-worker.ts'), dir, name], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}`))))
    })))
    expect(new Set(results.map((r) => r.fingerprint)).size).toBe(1)
    expect(results.every((r) => r.self)).toBe(true)
    // Every process's entry verifies under the one key.
    const cache = HashCache.open(dir)
    for (const name of names) expect(cache.get(`object:${name}`)?.sha256).toBe(createHash('sha256').update(name).digest('hex'))
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([])
  })
})
