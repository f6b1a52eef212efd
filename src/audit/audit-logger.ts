import pino, { type Logger } from 'pino'

/**
 * Paths pino blanks out whatever a caller puts in an event. Events are built from an allowlist
 * (access-event.ts), so this is a second line: if a header, a credential or a URL signature
 * ever slips into an event, it still never reaches the file. Exact paths only: wildcard paths
 * made pino copy every event and cost about 9% of a /cpx request, and each exact path costs
 * about 0.5 us a line (docs/performance.md), so the list holds only what an event could carry.
 */
export const AUDIT_REDACT_PATHS = ['headers', 'authorization', 'params.token', 'params.sig', 'params.signature']

export type AuditLogger = Logger<never, boolean>

/**
 * The audit trail's own pino instance, apart from the application log. Writes are synchronous
 * so an access is on disk before its response leaves (DESIGN.md, audit log); `-` writes to stdout.
 */
export function createAuditLogger (file: string): AuditLogger {
  const destination = file === '-'
    ? pino.destination({ fd: 1, sync: true })
    : pino.destination({ dest: file, sync: true, mkdir: true, mode: 0o640 })
  return pino({
    base: null,
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    // Marks audit lines when they share stdout with the application log (`audit.file: -`).
    formatters: { level: () => ({ log: 'audit' }) },
    redact: { paths: AUDIT_REDACT_PATHS, censor: '[redacted]' }
  }, destination)
}
