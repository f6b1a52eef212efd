import { renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalEvidenceStore } from '../../src/evidence/local-store.ts'
import { scratchDir } from '../helpers/tmp.ts'

describe('LocalEvidenceStore', () => {
  const outside = scratchDir({ 'secret.txt': 'do not serve' })
  const root = scratchDir({ 'a/report.pdf': 'pdf bytes', 'b.txt': 'b' })
  symlinkSync(join(outside, 'secret.txt'), join(root, 'escape.txt'))
  // A link can be re-pointed at any moment, so even one that stays inside is refused.
  symlinkSync(join(root, 'b.txt'), join(root, 'alias.txt'))
  symlinkSync(join(root, 'a'), join(root, 'linked'))
  const store = new LocalEvidenceStore(root)

  it('finds a file inside the folder, with an identity that names device, inode, size, mtime and ctime', () => {
    const object = store.locateSync('a/report.pdf')
    expect(object.size).toBe(9)
    expect(object.cacheKey).toMatch(/^local:.*report\.pdf:\d+:\d+:9:[\d.]+:[\d.]+$/)
  })

  it.each([
    ['../secret.txt', 'is outside the evidence folder'],
    ['a/../../x', 'is outside the evidence folder'],
    ['/etc/passwd', 'is outside the evidence folder'],
    ['escape.txt', 'escape.txt goes through a symbolic link; cpxd serves only files reached without one'],
    ['alias.txt', 'alias.txt goes through a symbolic link; cpxd serves only files reached without one'],
    ['linked/report.pdf', 'linked/report.pdf goes through a symbolic link; cpxd serves only files reached without one'],
    ['missing.pdf', 'does not exist in the evidence folder'],
    ['a', 'is not a file']
  ])('refuses %s', (location, message) => {
    expect(() => store.locateSync(location)).toThrow(message)
  })

  it('notices when a located file is rewritten', async () => {
    const dir = scratchDir({ 'f.txt': 'one' })
    const local = new LocalEvidenceStore(dir)
    const object = local.locateSync('f.txt')
    expect(await local.unchanged(object)).toBe(true)
    writeFileSync(join(dir, 'f.txt'), 'two, longer')
    expect(await local.unchanged(object)).toBe(false)
  })

  it('opens only the file it located: a replaced or re-pointed file is refused, not read', async () => {
    const dir = scratchDir({ 'f.txt': 'one', 'other.txt': 'two' })
    const local = new LocalEvidenceStore(dir)
    const object = local.locateSync('f.txt')
    renameSync(join(dir, 'other.txt'), join(dir, 'f.txt'))
    await expect(local.open(object)).rejects.toThrow('f.txt changed since it was indexed')
    rmSync(join(dir, 'f.txt'))
    symlinkSync(join(dir, 'nowhere'), join(dir, 'f.txt'))
    await expect(local.open(object)).rejects.toThrow('f.txt cannot be opened as it was indexed')
  })
})
