import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration } from '../../src/config/duration.ts'

describe('durations', () => {
  it('are printed as the config writes them, and read back to the same value', () => {
    for (const [ms, text] of [[86_400_000, '24h'], [3_600_000, '1h'], [60_000, '1m'], [90_000, '90s'], [1500, '1500ms'], [250, '250ms'], [0, '0ms']] as const) {
      expect(formatDuration(ms)).toBe(text)
      expect(parseDuration(text)).toBe(ms)
    }
  })
})
