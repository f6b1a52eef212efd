import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fencedBlocks } from '../helpers/markdown.ts'
import { toolAvailable } from '../helpers/tools.ts'

const promtoolAvailable = toolAvailable('promtool', ['--version'], 'prometheus', 'the alert rules in docs/metrics.md are checked with promtool')
const DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'metrics.md'), 'utf8')

function yamlBlock (startsWith: string): string {
  const block = fencedBlocks(DOC, 'yaml').find((text) => text.startsWith(startsWith))
  if (block === undefined) throw new Error(`docs/metrics.md has no YAML block starting with ${startsWith}`)
  return block
}

describe.skipIf(!promtoolAvailable)('the alert rules in docs/metrics.md', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cpxd-rules-'))
  writeFileSync(join(dir, 'rules.yml'), yamlBlock('groups:'))
  writeFileSync(join(dir, 'test.yml'), yamlBlock('rule_files:'))

  it('are valid rules (promtool check rules)', () => {
    const result = spawnSync('promtool', ['check', 'rules', 'rules.yml'], { cwd: dir, encoding: 'utf8' })
    expect(result.stdout).toContain('SUCCESS: 7 rules found')
    expect(result.status).toBe(0)
  })

  it('fire when they should and only then (promtool test rules, with the unit test beside them)', () => {
    const result = spawnSync('promtool', ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8' })
    expect(result.stdout + result.stderr).toContain('SUCCESS')
    expect(result.status).toBe(0)
  })

  it('name only metrics cpxd serves', () => {
    const named = new Set([...yamlBlock('groups:').matchAll(/\b(cpxd_[a-z_]+|opencpx_[a-z_]+)/g)].map((match) => match[1]))
    const documented = new Set([...DOC.matchAll(/`((?:cpxd|opencpx)_[a-z_]+)`/g)].map((match) => match[1]))
    expect([...named].filter((name) => !documented.has(name))).toEqual([])
  })
})
