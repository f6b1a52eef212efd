import type { AccessEvent } from './access-event.ts'

/** What pino writes in place of a redacted value. */
export const REDACTION_CENSOR = '[redacted]'

type Path = readonly [string] | readonly [string, string]

/**
 * An access line, serialized in one step: the bytes `logger.info(event)` writes with the audit
 * logger's options (`log` first, then `time`, then the event's members in order), without pino's
 * member-by-member serializer and its redaction pass, which were most of an audit line's cost
 * (docs/performance.md). `time` is the logger's own timestamp function, so both kinds of line
 * agree on the time format. The redaction paths are applied here too, as pino applies them.
 */
export function accessLineSerializer (time: () => string, redactPaths: readonly string[]): (event: AccessEvent) => string {
  const paths = redactPaths.map((path) => {
    const parts = path.split('.')
    if (parts.length !== 1 && parts.length !== 2) throw new Error(`redaction path ${path}: one or two keys`)
    return parts as unknown as Path
  })
  return (event) => `{"log":"audit"${time()},${JSON.stringify(redacted(event, paths)).slice(1)}\n`
}

/** The event with each path that is present censored; the event itself when none is (the rule). */
function redacted (event: AccessEvent, paths: readonly Path[]): AccessEvent {
  let out: Record<string, unknown> | undefined
  for (const path of paths) {
    const source = (out ?? event) as Record<string, unknown>
    const [first, second] = path
    if (!Object.hasOwn(source, first)) continue
    if (second === undefined) {
      out = { ...source, [first]: REDACTION_CENSOR }
      continue
    }
    const inner = source[first]
    if (typeof inner !== 'object' || inner === null || !Object.hasOwn(inner, second)) continue
    out = { ...source, [first]: { ...inner, [second]: REDACTION_CENSOR } }
  }
  return (out ?? event) as AccessEvent
}
