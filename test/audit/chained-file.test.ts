import { appendFileSync, existsSync, renameSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AuditChain, START_OF_CHAIN } from '../../src/audit/audit-chain.ts'
import { GroupCommitFile } from '../../src/audit/group-commit-file.ts'
import { verifyChain } from '../../src/audit/verify-chain.ts'
import { asInput, AUDIT_KEY } from '../helpers/audit-chain.ts'
import { fileLines, jsonLines } from '../helpers/json-lines.ts'
import { scratchDir } from '../helpers/tmp.ts'

const verified = async (...files: string[]) => (await verifyChain(asInput(files.flatMap(fileLines)), AUDIT_KEY)).problem

describe('GroupCommitFile with a chain', () => {
  it('starts the file with audit_log_opened and seals every line in order', async () => {
    const file = join(scratchDir(), 'audit.log')
    const sink = new GroupCommitFile(file, new AuditChain(AUDIT_KEY, START_OF_CHAIN))
    sink.write('{"log":"audit","event":"a"}\n')
    await sink.written()
    sink.write('{"log":"audit","event":"b"}\n')
    sink.write('{"log":"audit","event":"c"}\n')
    await sink.written()
    sink.close()
    const written = jsonLines(file)
    expect(written.map((r) => [r.event, r.seq])).toEqual([['audit_log_opened', 1], ['a', 2], ['b', 3], ['c', 4]])
    expect(written[0]).toMatchObject({ log: 'audit', reason: 'start', previous: null, pid: process.pid })
    expect(await verified(file)).toBeUndefined()
  })

  it('on reopen after a rename, starts the new file from the old head, and does nothing without one', async () => {
    const dir = scratchDir()
    const file = join(dir, 'audit.log')
    const sink = new GroupCommitFile(file, new AuditChain(AUDIT_KEY, START_OF_CHAIN))
    sink.write('{"event":"before"}\n')
    await sink.written()
    sink.reopen()
    await sink.written()
    expect(sink.head?.seq).toBe(2)
    renameSync(file, `${file}.1`)
    sink.reopen()
    sink.write('{"event":"after"}\n')
    await sink.written()
    sink.close()
    expect(jsonLines(`${file}.1`).map((r) => r.event)).toEqual(['audit_log_opened', 'before'])
    const current = jsonLines(file)
    expect(current.map((r) => r.event)).toEqual(['audit_log_opened', 'after'])
    expect(current[0]).toMatchObject({ reason: 'reopen', seq: 3, previous: { seq: 2, chain: jsonLines(`${file}.1`)[1]?.chain } })
    expect(await verified(`${file}.1`, file)).toBeUndefined()
    // The new file verifies on its own too: its first line names the chain value before it.
    expect(await verified(file)).toBeUndefined()
  })

  it('notices a file renamed without a signal and goes on in a new file', async () => {
    const file = join(scratchDir(), 'audit.log')
    const sink = new GroupCommitFile(file, new AuditChain(AUDIT_KEY, START_OF_CHAIN))
    sink.write('{"event":"a"}\n')
    await sink.written()
    renameSync(file, `${file}.1`)
    sink.write('{"event":"b"}\n')
    // A signal that comes after the rename, with a line pending, finds the move already handled.
    sink.reopen()
    await sink.written()
    sink.close()
    expect(jsonLines(file).map((r) => [r.event, r.reason])).toEqual([['audit_log_opened', 'moved'], ['b', undefined]])
    expect(await verified(`${file}.1`, file)).toBeUndefined()
  })

  it.skipIf(!existsSync('/dev/full'))('leaves no gap in seq after a failed write, and says how many lines were lost', async () => {
    const file = join(scratchDir(), 'audit.log')
    symlinkSync('/dev/full', file)
    const sink = new GroupCommitFile(file, new AuditChain(AUDIT_KEY, START_OF_CHAIN))
    sink.write('{"event":"lost-1"}\n')
    sink.write('{"event":"lost-2"}\n')
    await expect(sink.written()).rejects.toThrow('ENOSPC')
    sink.write('{"event":"lost-3"}\n')
    await expect(sink.written()).rejects.toThrow('ENOSPC')
    expect(sink.head).toEqual(START_OF_CHAIN)
    rmSync(file)
    sink.write('{"event":"kept"}\n')
    await sink.written()
    sink.close()
    const written = jsonLines(file)
    expect(written.map((r) => [r.event, r.seq])).toEqual([['audit_log_opened', 1], ['kept', 2]])
    expect(written[0]).toMatchObject({ reason: 'recovered', unwritten_lines: 3 })
    expect(await verified(file)).toBeUndefined()
  })

  it('starts on a fresh line when the file ends in a torn one', async () => {
    const file = join(scratchDir(), 'audit.log')
    appendFileSync(file, '{"event":"torn","seq":')
    const sink = new GroupCommitFile(file, new AuditChain(AUDIT_KEY, START_OF_CHAIN))
    sink.write('{"event":"a"}\n')
    await sink.written()
    sink.close()
    const lines = fileLines(file)
    expect(lines[0]).toBe('{"event":"torn","seq":')
    expect(lines.slice(1).map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['audit_log_opened', 'a'])
    expect(await verified(file)).toMatchObject({ kind: 'malformed', where: 'audit.log:1: ' })
  })
})
