import { createSecretKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AuditChain, parseSealedLine, START_OF_CHAIN } from '../../src/audit/audit-chain.ts'
import { openedLine } from '../../src/audit/audit-chain.ts'
import { verifyChain } from '../../src/audit/verify-chain.ts'
import { asInput, AUDIT_KEY, sealedLines } from '../helpers/audit-chain.ts'

const verify = (lines: string[], checkpoint?: { seq: number, chain: string }) => verifyChain(asInput(lines), AUDIT_KEY, checkpoint)

function headAt (lines: string[], index: number) {
  const sealed = parseSealedLine(lines[index] as string)!
  return { seq: sealed.seq, chain: sealed.chain }
}

describe('verifyChain', () => {
  it('accepts an untouched chain and reports its last seq and chain as a checkpoint', async () => {
    const lines = sealedLines(10)
    const report = await verify(lines)
    expect(report.problem).toBeUndefined()
    expect(report.warnings).toEqual([])
    expect(report).toMatchObject({ lines: 10, firstSeq: 1, last: { ...headAt(lines, 9), time: '2026-11-23T09:00:09.000Z' } })
  })

  it('names the first edited line, even when the edit keeps the JSON equivalent', async () => {
    const lines = sealedLines(10)
    lines[4] = (lines[4] as string).replace('"status":204', '"status": 204')
    lines[7] = (lines[7] as string).replace('globex', 'acme')
    const report = await verify(lines)
    expect(report.problem).toEqual({ kind: 'edited', where: 'audit.log:5: ', message: 'seq 5: the line\'s content does not match its chain value (edited, or sealed with another key)' })
    expect(report.lines).toBe(4)
  })

  it('names a forged line inserted with the next seq', async () => {
    const lines = sealedLines(6)
    const forged = (lines[3] as string).replace('"status":203', '"status":500')
    lines.splice(3, 0, forged)
    expect((await verify(lines)).problem).toEqual({ kind: 'inserted', where: 'audit.log:4: ', message: 'seq 4: this line is not in the chain, and the line after it is the real seq 4' })
  })

  it('names a copied line', async () => {
    const lines = sealedLines(6)
    lines.splice(4, 0, lines[1] as string)
    expect((await verify(lines)).problem).toMatchObject({ kind: 'inserted', where: 'audit.log:5: ', message: expect.stringContaining('seq 2 where seq 5 was expected') })
  })

  it('names deleted lines, one or several', async () => {
    const one = sealedLines(8)
    one.splice(3, 1)
    expect((await verify(one)).problem).toEqual({ kind: 'deleted', where: 'audit.log:4: ', message: 'seq 5 where seq 4 was expected: the line with seq 4 was deleted (or a file is missing from the list)' })
    const several = sealedLines(8)
    several.splice(2, 3)
    expect((await verify(several)).problem?.message).toBe('seq 6 where seq 3 was expected: 3 lines (seq 3-5) were deleted (or a file is missing from the list)')
  })

  it('names reordered lines', async () => {
    const lines = sealedLines(8)
    const [moved] = lines.splice(2, 1)
    lines.splice(5, 0, moved as string)
    expect((await verify(lines)).problem).toEqual({ kind: 'reordered', where: 'audit.log:3: ', message: 'seq 4 where seq 3 was expected, and seq 3 comes later: lines were moved' })
  })

  it('names a line that is not a sealed line', async () => {
    const lines = sealedLines(4)
    lines.splice(2, 0, '{"event":"posture_read","status":200}')
    expect((await verify(lines)).problem).toMatchObject({ kind: 'malformed', where: 'audit.log:3: ' })
  })

  it('refuses every line sealed under another key', async () => {
    const other = createSecretKey(Buffer.from('x'.repeat(32)))
    expect((await verifyChain(asInput(sealedLines(3, START_OF_CHAIN, other)), AUDIT_KEY)).problem).toMatchObject({ kind: 'edited', where: 'audit.log:1: ' })
  })

  it('cannot see lines cut off the end without a checkpoint, and can with one', async () => {
    const lines = sealedLines(10)
    const checkpoint = headAt(lines, 9)
    const cut = lines.slice(0, 7)
    expect((await verify(cut)).problem).toBeUndefined()
    expect((await verify(cut, checkpoint)).problem).toEqual({ kind: 'truncated', where: '', message: 'the log ends at seq 7 but the checkpoint records seq 10: lines were cut off the end' })
    expect((await verify(lines, checkpoint)).problem).toBeUndefined()
  })

  it('refuses a log whose line at the checkpoint seq carries another chain value', async () => {
    const lines = sealedLines(5)
    const other = sealedLines(5, START_OF_CHAIN, createSecretKey(Buffer.from('y'.repeat(32))))
    expect((await verify(lines, headAt(other, 2))).problem).toMatchObject({ kind: 'checkpoint_mismatch', where: 'audit.log:3: ' })
  })

  it('checks a file that starts mid-chain from its audit_log_opened line, or from a checkpoint', async () => {
    const earlier = sealedLines(5)
    const head = headAt(earlier, 4)
    const chain = new AuditChain(AUDIT_KEY, head)
    const sealed = chain.seal([openedLine('reopen', head, 0), '{"event":"posture_read"}\n'])
    const rotated = sealed.text.split('\n').slice(0, -1)
    expect(await verify(rotated)).toMatchObject({ problem: undefined, warnings: [], firstSeq: 6, lines: 2 })
    const tampered = [(rotated[0] as string).replace('"reopen"', '"moved"'), rotated[1] as string]
    expect((await verify(tampered)).problem).toMatchObject({ kind: 'edited', where: 'audit.log:1: ' })

    const middle = sealedLines(4, head)
    expect(await verify(middle, head)).toMatchObject({ problem: undefined, warnings: [] })
    const unanchored = await verify(middle)
    expect(unanchored.problem).toBeUndefined()
    expect(unanchored.warnings).toEqual(['audit.log:1: the input starts inside the chain, at seq 6: this first line is taken as given, since checking it needs the line before it (add the earlier file, or pass --checkpoint)'])
  })

  it('verifies each side of a key change with its own key', async () => {
    const newKey = createSecretKey(Buffer.from('n'.repeat(32)))
    const before = sealedLines(4)
    const head = headAt(before, 3)
    const sealed = new AuditChain(newKey, head).seal([openedLine('start', head, 0), '{"event":"posture_read"}\n'])
    const after = sealed.text.split('\n').slice(0, -1)
    expect((await verify(before)).problem).toBeUndefined()
    expect(await verifyChain(asInput(after), newKey)).toMatchObject({ problem: undefined, warnings: [], firstSeq: 5, lines: 2 })
    expect((await verify([...before, ...after])).problem).toMatchObject({ kind: 'edited', where: 'audit.log:5: ' })
  })

  it('warns where a new chain starts in the middle', async () => {
    const lines = [...sealedLines(3), ...sealedLines(2)]
    const report = await verify(lines)
    expect(report.problem).toBeUndefined()
    expect(report.warnings).toEqual([expect.stringMatching(/^audit\.log:4: a new chain starts here/)])
  })

  it('finds a checkpoint across a chain restart, where its seq comes round twice', async () => {
    const first = sealedLines(5)
    const second = sealedLines(8, START_OF_CHAIN, AUDIT_KEY, 100)
    for (const checkpoint of [headAt(first, 3), headAt(second, 3)]) {
      expect((await verify([...first, ...second], checkpoint)).problem).toBeUndefined()
    }
    expect((await verify([...first, ...second.slice(0, 2)], headAt(second, 3))).problem).toMatchObject({ kind: 'checkpoint_mismatch', where: 'audit.log:4: ' })
  })

  it('skips blank lines', async () => {
    const lines = sealedLines(3)
    lines.splice(1, 0, '')
    expect((await verify(lines)).problem).toBeUndefined()
  })
})
