import { utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { parseSealedLine } from '../../src/audit/audit-chain.ts'
import { inChainOrder, linesOf, rotatedSiblings } from '../../src/audit/audit-files.ts'
import { sealedLines } from '../helpers/audit-chain.ts'
import { scratchDir } from '../helpers/tmp.ts'

describe('audit files', () => {
  it('rotatedSiblings lists logrotate names, newest first, and leaves out temp files and the key', () => {
    const dir = scratchDir()
    for (const [name, day] of [['audit.1', 3], ['audit-20261120.gz', 1], ['audit.2.gz', 2], ['audit.key', 4], ['.audit.tmp-1', 5], ['audit.tmp-x', 5], ['auditx', 5], ['other.1', 5]] as const) {
      writeFileSync(join(dir, name), '')
      utimesSync(join(dir, name), new Date(2026, 10, day), new Date(2026, 10, day))
    }
    expect(rotatedSiblings(join(dir, 'audit'))).toEqual(['audit.1', 'audit.2.gz', 'audit-20261120.gz'].map((n) => join(dir, n)))
  })

  it('inChainOrder sorts by the first sealed line, and puts files without one last', async () => {
    const dir = scratchDir()
    const lines = sealedLines(6)
    const last = parseSealedLine(lines[3] as string)!
    const files = { a: join(dir, 'a'), b: join(dir, 'b.gz'), c: join(dir, 'c'), d: join(dir, 'd') }
    writeFileSync(files.a, `${lines.slice(4).join('\n')}\n`)
    writeFileSync(files.b, gzipSync(`${lines.slice(0, 2).join('\n')}\n`))
    writeFileSync(files.c, 'not an audit line\n')
    writeFileSync(files.d, `${lines.slice(2, 4).join('\n')}\n`)
    expect(await inChainOrder([files.c, files.a, files.d, files.b])).toEqual([files.b, files.d, files.a, files.c])
    const read = []
    for await (const line of linesOf([files.b, files.d])) read.push(line)
    expect(read.map((l) => [l.file, l.line])).toEqual([[files.b, 1], [files.b, 2], [files.d, 1], [files.d, 2]])
    expect(read[3]?.text).toBe(lines[3])
    expect(parseSealedLine(read[3]?.text as string)?.chain).toBe(last.chain)
  })
})
