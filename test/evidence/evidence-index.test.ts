import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { indexEvidence } from '../../src/evidence/evidence-index.ts'
import { HashCache } from '../../src/evidence/hash-cache.ts'
import { LocalEvidenceStore, type LocalObject } from '../../src/evidence/local-store.ts'
import { documentSchema } from '../../src/posture/document.ts'
import { scratchDir } from '../helpers/tmp.ts'

const sha = (text: string) => createHash('sha256').update(text).digest('hex')

/** Counts how often an object's bytes are read. */
class CountingStore extends LocalEvidenceStore {
  reads = 0
  override async open (object: LocalObject) {
    this.reads++
    return super.open(object)
  }
}

function posture (evidence: unknown[]) {
  return documentSchema.parse({ frameworks: [{ name: 'SOC2', status: 'compliant', score: 1, controls: [{ id: 'CC1', status: 'compliant' }] }], evidence })
}

describe('indexEvidence', () => {
  const root = scratchDir({ 'one.txt': 'one', 'two.txt': 'two' })
  const items = [
    { id: 'one', description: 'one', backend: 'local', location: 'one.txt', sha256: sha('one'), controls: ['CC1'] },
    { id: 'two', description: 'two', backend: 'local', location: 'two.txt' }
  ]

  it('hashes each object once; later loads are served by the cache', async () => {
    const cacheDir = scratchDir()
    const store = new CountingStore(root)
    const first = await indexEvidence(new Map([['acme', posture(items)]]), new Map([['local', store]]), HashCache.open(cacheDir))
    expect(first.items.get('acme/one')).toMatchObject({ sha256: sha('one'), size: 3 })
    expect(first.items.get('acme/two')).toMatchObject({ sha256: sha('two'), size: 3 })
    expect(store.reads).toBe(2)
    await indexEvidence(new Map([['acme', posture(items)]]), new Map([['local', store]]), HashCache.open(cacheDir))
    expect(store.reads).toBe(2)
  })

  it('withholds an item whose hash differs from the declared one, and says which', async () => {
    const result = await indexEvidence(new Map([['acme', posture([{ ...items[0], sha256: sha('other') }])]]), new Map([['local', new LocalEvidenceStore(root)]]), HashCache.open(scratchDir()))
    expect(result.items.size).toBe(0)
    expect(result.failures).toEqual([{ tenant: 'acme', id: 'one', reason: 'hash_mismatch', message: `declared sha256:${sha('other')}, computed sha256:${sha('one')}` }])
  })

  it('withholds missing files and locations outside the folder', async () => {
    const result = await indexEvidence(new Map([['acme', posture([
      { id: 'gone', description: 'x', backend: 'local', location: 'gone.txt' }
    ])]]), new Map([['local', new LocalEvidenceStore(root)]]), HashCache.open(scratchDir()))
    expect(result.failures.map((f) => [f.id, f.reason])).toEqual([['gone', 'not_found']])
  })

  it('rehashes a file that changed', async () => {
    const dir = scratchDir({ 'f.txt': 'first' })
    const cache = HashCache.open(scratchDir())
    const doc = posture([{ id: 'f', description: 'f', backend: 'local', location: 'f.txt' }])
    expect((await indexEvidence(new Map([['t', doc]]), new Map([['local', new LocalEvidenceStore(dir)]]), cache)).items.get('t/f')?.sha256).toBe(sha('first'))
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(dir, 'f.txt'), 'second version')
    expect((await indexEvidence(new Map([['t', doc]]), new Map([['local', new LocalEvidenceStore(dir)]]), cache)).items.get('t/f')?.sha256).toBe(sha('second version'))
  })
})
