import { z } from 'zod'

/** A posture may be declared stale after a minute at the least (tests) and ten years at most. */
export const MIN_STALE_AFTER_MS = 60_000
export const MAX_STALE_AFTER_MS = 3650 * 86_400_000

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

/** A duration, or `off` (returned as 'off') to turn the limit off. */
export function durationOrOff (min: number, max: number) {
  const bounded = duration(min, max)
  return z.union([z.string(), z.number()]).transform((value, ctx): number | 'off' => {
    if (value === 'off') return 'off'
    const parsed = bounded.safeParse(value)
    if (parsed.success) return parsed.data
    ctx.addIssue({ code: 'custom', message: `${parsed.error.issues[0]?.message ?? 'must be a duration'}, or off` })
    return z.NEVER
  })
}

/** Milliseconds as the config writes them: the largest unit up to hours that divides evenly (`24h`, `90s`, `250ms`). */
export function formatDuration (ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    if (ms !== 0 && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`
  }
  return `${ms}ms`
}
