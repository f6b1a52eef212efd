import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { parseSealedLine } from '../../src/audit/audit-chain.ts'
import { sealedLines } from '../helpers/audit-chain.ts'
import { distEntry, runEntry } from '../helpers/process.ts'
import { scratchDir } from '../helpers/tmp.ts'

/** Two rotated files (the older one gzipped) and the current one, sealed under a key file. */
function rotatedLog () {
  const dir = scratchDir()
  const keyFile = join(dir, 'audit.key')
  writeFileSync(keyFile, `${'audit-test-key-'.repeat(3)}\n`)
  const lines = sealedLines(12)
  const files = { oldest: join(dir, 'audit.log.2.gz'), older: join(dir, 'audit.log.1'), current: join(dir, 'audit.log') }
  writeFileSync(files.oldest, gzipSync(`${lines.slice(0, 4).join('\n')}\n`))
  writeFileSync(files.older, `${lines.slice(4, 8).join('\n')}\n`)
  writeFileSync(files.current, `${lines.slice(8).join('\n')}\n`)
  return { dir, keyFile, lines, files }
}

const cpxd = (...args: string[]) => runEntry('cli/index.js', args)

describe('cpxd audit verify', () => {
  it('checks rotated and gzipped files in chain order, whatever order they are named in', () => {
    const { keyFile, lines, files } = rotatedLog()
    const result = cpxd('audit', 'verify', '--key-file', keyFile, files.current, files.older, files.oldest)
    expect(result.status).toBe(0)
    const last = parseSealedLine(lines[11] as string)!
    expect(result.stdout).toBe([
      `checked 3 files in chain order: ${files.oldest}, ${files.older}, ${files.current}`,
      `ok: 12 lines, seq 1-12, last chain ${last.chain}, chain intact`,
      'note: lines cut off the end of the log leave no trace in what remains; only a checkpoint kept elsewhere shows them missing. Take one with `cpxd audit checkpoint` and pass it later with --checkpoint.',
      ''
    ].join('\n'))
  })

  it('exits 1 naming the file and line of the first edit', () => {
    const { keyFile, lines, files } = rotatedLog()
    writeFileSync(files.older, `${[lines[4], (lines[5] as string).replace('"status":205', '"status":200'), lines[6], lines[7]].join('\n')}\n`)
    const result = cpxd('audit', 'verify', '--key-file', keyFile, files.oldest, files.older, files.current)
    expect(result.status).toBe(1)
    expect(result.stdout).toContain(`FAILED ${files.older}:2: edited: seq 6: the line's content does not match its chain value (edited, or sealed with another key)\n`)
  })

  it('catches lines cut off the end only against a checkpoint taken before', () => {
    const { keyFile, files, lines } = rotatedLog()
    const checkpoint = cpxd('audit', 'checkpoint', '--key-file', keyFile, files.oldest, files.older, files.current)
    expect(checkpoint.status).toBe(0)
    const last = parseSealedLine(lines[11] as string)!
    expect(JSON.parse(checkpoint.stdout)).toEqual({ seq: 12, chain: last.chain, time: '2026-11-23T09:00:11.000Z' })
    writeFileSync(files.current, `${lines.slice(8, 10).join('\n')}\n`)
    expect(cpxd('audit', 'verify', '--key-file', keyFile, files.oldest, files.older, files.current).status).toBe(0)
    const saved = join(scratchDir(), 'checkpoint.json')
    writeFileSync(saved, checkpoint.stdout)
    for (const given of [checkpoint.stdout, saved]) {
      const result = cpxd('audit', 'verify', '--key-file', keyFile, '--checkpoint', given, files.oldest, files.older, files.current)
      expect(result.status).toBe(1)
      expect(result.stdout).toContain('FAILED truncated: the log ends at seq 10 but the checkpoint records seq 12: lines were cut off the end\n')
    }
  })

  it('refuses a checkpoint of a log that no longer verifies', () => {
    const { keyFile, files, lines } = rotatedLog()
    writeFileSync(files.older, `${[lines[4], 'garbage', ...lines.slice(5, 8)].join('\n')}\n`)
    const result = cpxd('audit', 'checkpoint', '--key-file', keyFile, files.oldest, files.older, files.current)
    expect(result.status).toBe(1)
    expect(result.stderr).toBe(`cpxd: no checkpoint: ${files.older}:2: malformed: not a sealed cpxd audit line (no "seq" and "chain" at its end): inserted, damaged, or written without a chain\n`)
  })

  it.each([
    [['--checkpoint', '{"seq":0,"chain":"x"}'], 'cpxd: --checkpoint must hold {"seq": <number>, "chain": "<64 hex digits>"}, as `cpxd audit checkpoint` prints it'],
    [['--checkpoint', '/nonexistent/checkpoint.json'], 'cpxd: --checkpoint takes the JSON that `cpxd audit checkpoint` printed, or a file holding it; /nonexistent/checkpoint.json cannot be read'],
    [['/nonexistent/audit.log'], 'cpxd: /nonexistent/audit.log does not exist']
  ])('exits 2 on bad input %j', (args, message) => {
    const { keyFile, files } = rotatedLog()
    const result = cpxd('audit', 'verify', '--key-file', keyFile, files.current, ...args)
    expect(result.status).toBe(2)
    expect(result.stderr.split('\n')[0]).toBe(message)
  })

  it('exits 2 when the key file is too short to be an audit key', () => {
    const { files, dir } = rotatedLog()
    writeFileSync(join(dir, 'short.key'), 'abc\n')
    const result = cpxd('audit', 'verify', '--key-file', join(dir, 'short.key'), files.current)
    expect(result.status).toBe(2)
    expect(result.stderr.split('\n')[0]).toBe(`cpxd: --key-file ${join(dir, 'short.key')} holds less than 32 bytes: not an audit key`)
  })
})

describe('cpxd audit verify on a stream', () => {
  it('verifies audit lines piped in as -', () => {
    const { keyFile, lines } = rotatedLog()
    const result = spawnSync(process.execPath, [distEntry('cli/index.js'), 'audit', 'verify', '--key-file', keyFile, '-'], { input: `${lines.join('\n')}\n`, encoding: 'utf8' })
    expect(result.stdout).toContain('checked standard input\nok: 12 lines, seq 1-12')
    expect(result.status).toBe(0)
  })
})

describe('cpxd audit query', () => {
  it('prints matching lines from plain and gzipped files exactly as written', () => {
    const { files, lines } = rotatedLog()
    const result = cpxd('audit', 'query', '--tenant', 'globex', '--status', '2xx', '--since', '2026-11-23T09:00:02Z', '--until', '2026-11-23T09:00:09Z', files.oldest, files.older, files.current)
    expect(result.status).toBe(0)
    expect(result.stdout).toBe(`${[lines[3], lines[5], lines[7]].join('\n')}\n`)
  })

  it('prints a table with --table', () => {
    const { files } = rotatedLog()
    const result = cpxd('audit', 'query', '--status', '211', '--table', files.oldest, files.older, files.current)
    expect(result.status).toBe(0)
    const [header, row, end] = result.stdout.split('\n')
    expect(header).toMatch(/^TIME +EVENT +STATUS +METHOD +TENANT +PRINCIPAL +TIER +CLIENT IP +PATH \(REASON\)$/)
    expect(row).toMatch(/^2026-11-23T09:00:11\.000Z posture_read +211 +- +globex +- /)
    expect(end).toBe('')
  })

  it('reads a stream piped in as -, application log lines and all', () => {
    const { files, lines } = rotatedLog()
    const merged = [lines[0], '{"level":30,"time":1795446764984,"msg":"Server listening at http://127.0.0.1:8080"}', lines[1], lines[2]].join('\n')
    const result = spawnSync(process.execPath, [distEntry('cli/index.js'), 'audit', 'query', '--tenant', 'acme', '-'], { input: merged, encoding: 'utf8' })
    expect(result.stdout).toBe(`${lines[0]}\n${lines[2]}\n`)
    expect(result.status).toBe(0)
    const mixed = cpxd('audit', 'query', '-', files.current)
    expect(mixed.status).toBe(2)
    expect(mixed.stderr.split('\n')[0]).toBe('cpxd: - (standard input) cannot be combined with files')
  })

  it('exits 2 naming an option it cannot read', () => {
    const { files } = rotatedLog()
    const result = cpxd('audit', 'query', '--status', 'teapot', files.current)
    expect(result.status).toBe(2)
    expect(result.stderr.split('\n')[0]).toBe('cpxd: --status takes codes or classes such as 403, 4xx or 401,403; "teapot" is neither')
  })
})
