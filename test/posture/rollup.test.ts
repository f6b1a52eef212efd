import { describe, expect, it } from 'vitest'
import { rollupPosture } from '../../src/posture/rollup.ts'

describe('rollupPosture', () => {
  it.each([
    [[], 'unknown'],
    [['compliant', 'compliant'], 'compliant'],
    [['non_compliant'], 'non_compliant'],
    [['compliant', 'partial'], 'partially_compliant'],
    [['compliant', 'non_compliant'], 'partially_compliant'],
    [['partial'], 'partially_compliant']
  ] as const)('%j -> %s', (statuses, expected) => {
    expect(rollupPosture(statuses)).toBe(expected)
  })
})
