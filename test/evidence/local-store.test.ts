import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalEvidenceStore } from '../../src/evidence/local-store.ts'
import { scratchDir } from '../helpers/tmp.ts'

describe('LocalEvidenceStore', () => {
  const outside = scratchDir({ 'secret.txt': 'do not serve' })
  const root = scratchDir({ 'a/report.pdf': 'pdf bytes', 'b.txt': 'b' })
  symlinkSync(join(outside, 'secret.txt'), join(root, 'escape.txt'))
  symlinkSync(join(root, 'b.txt'), join(root, 'alias.txt'))
  const store = new LocalEvidenceStore(root)

  it('finds a file inside the folder, with an identity that names size, mtime and inode', () => {
    const object = store.locateSync('a/report.pdf')
    expect(object.size).toBe(9)
    expect(object.cacheKey).toMatch(/^local:.*report\.pdf:9:[\d.]+:\d+$/)
  })

  it.each([
    ['../secret.txt', 'is outside the evidence folder'],
    ['a/../../x', 'is outside the evidence folder'],
    ['/etc/passwd', 'is outside the evidence folder'],
    ['escape.txt', 'leads outside the evidence folder'],
    ['missing.pdf', 'does not exist in the evidence folder'],
    ['a', 'is not a file']
  ])('refuses %s', (location, message) => {
    expect(() => store.locateSync(location)).toThrow(message)
  })

  it('follows a symlink that stays inside', () => {
    expect(store.locateSync('alias.txt').path).toBe(store.locateSync('b.txt').path)
  })

  it('notices when a located file is rewritten', async () => {
    const dir = scratchDir({ 'f.txt': 'one' })
    const local = new LocalEvidenceStore(dir)
    const object = local.locateSync('f.txt')
    expect(await local.unchanged(object)).toBe(true)
    writeFileSync(join(dir, 'f.txt'), 'two, longer')
    expect(await local.unchanged(object)).toBe(false)
  })
})
