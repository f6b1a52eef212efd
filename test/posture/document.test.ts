import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseSource, parseWith } from '../../src/config/source-file.ts'
import { documentSchema, frameworkKey } from '../../src/posture/document.ts'
import { StartupError } from '../../src/startup-error.ts'
import { EXAMPLE_FILES, specPath } from '../helpers/spec.ts'

const MINIMAL = { version: 'v1', timestamp: '2026-01-01T00:00:00Z', frameworks: [{ name: 'SOC2', status: 'compliant', score: 1 }] }

function refusal (doc: unknown): StartupError {
  try {
    parseWith(parseSource('posture.json', JSON.stringify(doc, null, 2)), documentSchema)
  } catch (err) {
    return err as StartupError
  }
  throw new Error('expected the document to be refused')
}

describe('the spec examples', () => {
  it('finds the examples', () => { expect(EXAMPLE_FILES.length).toBeGreaterThanOrEqual(4) })

  it.each(EXAMPLE_FILES)('accepts %s', (name) => {
    const result = documentSchema.safeParse(JSON.parse(readFileSync(specPath('examples', name), 'utf8')))
    expect(result.success, JSON.stringify(!result.success && result.error.issues[0])).toBe(true)
  })
})

describe('documentSchema', () => {
  it('keeps vendor extension keys (x-acme-...) on every level', () => {
    const parsed = documentSchema.parse({ ...MINIMAL, 'x-acme-env': 'prod', frameworks: [{ ...MINIMAL.frameworks[0], 'x-acme-firm': 'EY' }] })
    expect(parsed['x-acme-env']).toBe('prod')
    expect(parsed.frameworks[0]?.['x-acme-firm']).toBe('EY')
  })

  it('refuses a framework status outside the spec, naming the path and the line', () => {
    const err = refusal({ ...MINIMAL, frameworks: [{ name: 'SOC2', status: 'mostly', score: 1 }] })
    expect(err.path).toBe('frameworks[0].status')
    expect(err.reason).toMatch(/line 7/)
  })

  it('refuses a score above 1', () => {
    expect(refusal({ ...MINIMAL, frameworks: [{ name: 'SOC2', status: 'partial', score: 85 }] }).path).toBe('frameworks[0].score')
  })

  it('refuses a control without a status', () => {
    const err = refusal({ ...MINIMAL, frameworks: [{ ...MINIMAL.frameworks[0], controls: [{ id: 'CC1.1' }] }] })
    expect(err.path).toBe('frameworks[0].controls[0].status')
  })

  it('refuses duplicate control ids and duplicate frameworks', () => {
    const control = { id: 'CC1.1', status: 'compliant' }
    expect(refusal({ ...MINIMAL, frameworks: [{ ...MINIMAL.frameworks[0], controls: [control, control] }] }).path)
      .toBe('frameworks[0].controls[1].id')
    expect(refusal({ ...MINIMAL, frameworks: [MINIMAL.frameworks[0], { name: 'SOC 2', status: 'partial', score: 0.5 }] }).path)
      .toBe('frameworks[1].name')
  })

  it('refuses an evidence hash that is not a sha256: hash', () => {
    const err = refusal({ ...MINIMAL, evidence_refs: [{ id: 'x', hash: 'md5:abc' }] })
    expect(err.path).toBe('evidence_refs[0].hash')
  })

  it('refuses an unknown visibility', () => {
    expect(refusal({ ...MINIMAL, frameworks: [{ ...MINIMAL.frameworks[0], visibility: 'everyone' }] }).path).toBe('frameworks[0].visibility')
  })

  it('refuses a remediation date that is not a date', () => {
    const err = refusal({ ...MINIMAL, frameworks: [{ ...MINIMAL.frameworks[0], controls: [{ id: 'A', status: 'partial', remediation_date: 'soon' }] }] })
    expect(err.path).toBe('frameworks[0].controls[0].remediation_date')
  })
})

describe('frameworkKey', () => {
  it('matches names whatever their case and punctuation', () => {
    expect(frameworkKey('SOC 2')).toBe(frameworkKey('soc2'))
    expect(frameworkKey('ISO-27001')).toBe(frameworkKey('iso27001'))
  })
})
