import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadPostureVersion } from '../../src/posture/load-version.ts'
import { testConfig } from '../helpers/build.ts'
import { scratchDir } from '../helpers/tmp.ts'

describe('loadPostureVersion', () => {
  it('sweeps the hash index on every load: dead writers\' temp files and bad entries go', async () => {
    const root = scratchDir({ 'a.txt': 'a' })
    const posture = scratchDir({ 'acme.yaml': 'frameworks: []\nevidence:\n  - { id: a, description: a, backend: local, location: a.txt }\n' })
    const cacheDir = scratchDir()
    mkdirSync(join(cacheDir, 'entries'), { recursive: true })
    const stale = join(cacheDir, 'entries', '.x.json.tmp-dead01')
    const garbage = join(cacheDir, 'entries', `${'0'.repeat(64)}.json`)
    writeFileSync(stale, 'half a file')
    writeFileSync(garbage, 'not an entry')
    const old = new Date(Date.now() - 2 * 3_600_000)
    utimesSync(stale, old, old)

    const loaded = await loadPostureVersion(testConfig({ posture_dir: posture, evidence: { local_root: root, cache_dir: cacheDir } }))
    expect(loaded.evidence.items.has('acme/a')).toBe(true)
    expect(existsSync(stale)).toBe(false)
    expect(existsSync(garbage)).toBe(false)
  })
})
