import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GroupCommitFile } from '../../src/audit/group-commit-file.ts'
import { scratchDir } from '../helpers/tmp.ts'

describe('GroupCommitFile', () => {
  it('holds lines until the turn ends, then writes them all and resolves written()', async () => {
    const file = join(scratchDir(), 'nested', 'audit.log')
    const sink = new GroupCommitFile(file)
    sink.write('{"n":1}\n')
    sink.write('{"n":2}\n')
    expect(readFileSync(file, 'utf8')).toBe('')
    await sink.written()
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n')
    sink.close()
  })

  it('resolves at once when nothing is pending', async () => {
    const sink = new GroupCommitFile(join(scratchDir(), 'a.log'))
    await expect(sink.written()).resolves.toBeUndefined()
    sink.close()
  })

  it('appends to an existing file and writes what is pending on close', () => {
    const file = join(scratchDir(), 'a.log')
    const first = new GroupCommitFile(file)
    first.write('one\n')
    first.close()
    const second = new GroupCommitFile(file)
    second.write('two\n')
    second.close()
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n')
  })

  it.skipIf(!existsSync('/dev/full'))('rejects written() naming the file when the disk is full', async () => {
    const sink = new GroupCommitFile('/dev/full')
    sink.write('line\n')
    await expect(sink.written()).rejects.toThrow('audit log /dev/full cannot be written: ENOSPC')
    // The next batch is tried afresh.
    sink.write('again\n')
    await expect(sink.written()).rejects.toThrow('ENOSPC')
  })
})
