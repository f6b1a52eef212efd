import { z } from 'zod'

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
const DURATION = /^(\d+)\s*(ms|s|m|h|d)$/

/** Parses `250ms`, `10s`, `5m`, `1h`, `7d`; a bare number is milliseconds. */
export function parseDuration (value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined
  const match = DURATION.exec(value.trim())
  if (match === null) return undefined
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
}

/** A zod duration in milliseconds, bounded so that a typo cannot disable a limit. */
export function duration (min: number, max: number) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = parseDuration(value)
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration such as 500ms, 10s, 5m or 1h' })
      return z.NEVER
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${formatDuration(min)} and ${formatDuration(max)}` })
      return z.NEVER
    }
    return ms
  })
}

/** Milliseconds as the config writes them: the largest unit up to hours that divides evenly (`24h`, `90s`, `250ms`). */
export function formatDuration (ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    if (ms !== 0 && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`
  }
  return `${ms}ms`
}
