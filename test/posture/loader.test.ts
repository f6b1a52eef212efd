import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadPostureDir } from '../../src/posture/loader.ts'
import type { StartupError } from '../../src/startup-error.ts'
import { startupErrorFrom } from '../helpers/startup-error.ts'
import { EXAMPLE_POSTURE_DIR } from '../helpers/build.ts'
import { scratchDir } from '../helpers/tmp.ts'

const GOOD = 'frameworks:\n  - { name: SOC2, status: compliant, score: 1 }\n'

function refusal (dir: string): StartupError {
  return startupErrorFrom(() => loadPostureDir(dir))
}

describe('loadPostureDir', () => {
  it('loads the example posture: the vendor and two tenants', () => {
    const postures = loadPostureDir(EXAMPLE_POSTURE_DIR)
    expect([...postures.keys()].sort()).toEqual(['_default', 'acme', 'globex'])
  })

  it('computes compliance_posture and takes the timestamp from the file when they are left out', () => {
    const dir = scratchDir({ 'acme.yaml': 'frameworks:\n  - { name: SOC2, status: compliant, score: 1 }\n  - { name: GDPR, status: partial, score: 0.8 }\n' })
    const doc = loadPostureDir(dir).get('acme')?.document
    expect(doc?.compliance_posture).toBe('partially_compliant')
    expect(doc?.version).toBe('v1')
    expect(Date.parse(doc?.timestamp ?? '')).not.toBeNaN()
  })

  it('keeps extensions.cpxd for the answers: a posture file may not set it', () => {
    const err = refusal(scratchDir({ 'acme.yaml': `${GOOD}extensions:\n  cpxd: { tier: gold }\n` }))
    expect(err.path).toBe('extensions.cpxd')
    expect(err.reason).toBe('is where cpxd puts what the SDK types lack in its answers; name your extension after your own organization (line 4)')
  })

  it('refuses an alias without its anchor, and an alias bomb, as not valid YAML, naming the file', () => {
    const dangling = scratchDir({ 'acme.yaml': 'frameworks:\n  - &a { name: SOC2 }\n  - *b\n' })
    expect(refusal(dangling).message).toBe(`${join(dangling, 'acme.yaml')}: not valid YAML: Unresolved alias (the anchor must be set before the alias): b`)
    const bomb = scratchDir({ 'acme.yaml': ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n') })
    expect(refusal(bomb).message).toBe(`${join(bomb, 'acme.yaml')}: not valid YAML: Excessive alias count indicates a resource exhaustion attack`)
  })

  it('refuses a posture file named after a path of cpxd\'s own under /cpx/', () => {
    const dir = scratchDir({ 'metrics.yaml': GOOD })
    expect(refusal(dir).message).toBe(`${join(dir, 'metrics.yaml')}: "metrics" cannot be a tenant: /cpx/metrics is a path of cpxd's own`)
  })

  it('names file, path and reason for a bad posture file', () => {
    const dir = scratchDir({ '_default.yaml': GOOD, 'acme.yaml': 'frameworks:\n  - name: SOC2\n    status: great\n    score: 1\n' })
    const err = refusal(dir)
    expect(err.file).toBe(join(dir, 'acme.yaml'))
    expect(err.path).toBe('frameworks[0].status')
    expect(err.reason).toMatch(/line 3/)
  })

  it('refuses a file whose name is not a tenant id', () => {
    const dir = scratchDir({ 'Acme Corp.yaml': GOOD })
    expect(refusal(dir).reason).toMatch(/tenant id/)
  })

  it('refuses two files for one tenant', () => {
    const dir = scratchDir({ 'acme.yaml': GOOD, 'acme.json': JSON.stringify({ frameworks: [] }) })
    expect(refusal(dir).reason).toMatch(/second posture file/)
  })

  it('ignores files that are not posture files', () => {
    const dir = scratchDir({ 'README.md': '# notes', 'acme.yaml': GOOD })
    expect([...loadPostureDir(dir).keys()]).toEqual(['acme'])
  })

  it('reports a missing folder', () => {
    expect(refusal('/nonexistent/posture').reason).toBe('posture folder not found')
  })
})
