import { appendFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { parseSealedLine, START_OF_CHAIN } from '../../src/audit/audit-chain.ts'
import { findChainHead } from '../../src/audit/chain-head.ts'
import { sealedLines } from '../helpers/audit-chain.ts'
import { scratchDir } from '../helpers/tmp.ts'

const headOf = (line: string) => {
  const sealed = parseSealedLine(line)!
  return { seq: sealed.seq, chain: sealed.chain }
}

describe('findChainHead', () => {
  it('continues from the last sealed line of the audit file, past a torn tail', async () => {
    const file = join(scratchDir(), 'audit.log')
    const lines = sealedLines(5)
    writeFileSync(file, `${lines.join('\n')}\n{"event":"torn`)
    expect(await findChainHead(file)).toEqual({ head: headOf(lines[4] as string), from: file })
  })

  it('finds the last line of a log larger than one read from its end', async () => {
    const file = join(scratchDir(), 'audit.log')
    const lines = sealedLines(2000)
    writeFileSync(file, `${lines.join('\n')}\n${'{"pad":"'.padEnd(70_000, 'x')}"}\n`)
    expect(await findChainHead(file)).toEqual({ head: headOf(lines[1999] as string), from: file })
  })

  it('continues from the newest rotated file when the audit file is new or empty, compressed or not', async () => {
    const dir = scratchDir()
    const file = join(dir, 'audit.log')
    const older = sealedLines(3)
    const newer = sealedLines(4, headOf(older[2] as string))
    writeFileSync(`${file}.2`, `${older.join('\n')}\n`)
    writeFileSync(`${file}.1.gz`, gzipSync(`${newer.join('\n')}\n`))
    utimesSync(`${file}.2`, new Date(2026, 0, 1), new Date(2026, 0, 1))
    expect(await findChainHead(file)).toEqual({ head: headOf(newer[3] as string), from: `${file}.1.gz` })
    writeFileSync(file, '')
    expect((await findChainHead(file)).from).toBe(`${file}.1.gz`)
    appendFileSync(join(dir, 'other.log'), `${sealedLines(9).join('\n')}\n`)
    expect((await findChainHead(file)).head.seq).toBe(7)
  })

  it('starts a new chain when no file holds a sealed line, and for stdout', async () => {
    const dir = scratchDir()
    writeFileSync(join(dir, 'audit.log'), '{"event":"posture_read"}\n')
    expect(await findChainHead(join(dir, 'audit.log'))).toEqual({ head: START_OF_CHAIN, from: undefined })
    expect(await findChainHead(join(dir, 'none.log'))).toEqual({ head: START_OF_CHAIN, from: undefined })
    expect(await findChainHead('-')).toEqual({ head: START_OF_CHAIN, from: undefined })
  })
})
