import pino, { type Logger } from 'pino'

/**
 * Paths pino blanks out whatever a caller puts in an event. Events are built from an allowlist
 * (access-event.ts), so this is a second line: if a header or a credential ever slips into an
 * event, it still never reaches the file.
 */
export const AUDIT_REDACT_PATHS = [
  'headers', 'authorization', 'cookie', 'token', 'api_key', 'password', 'secret', 'signature',
  '*.headers', '*.authorization', '*.cookie', '*.token', '*.api_key', '*.password', '*.secret', '*.signature',
  'params.query.token', 'params.query.signature', 'params.query.X-Amz-Signature', 'params.query.X-Goog-Signature', 'params.query.sig'
]

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
