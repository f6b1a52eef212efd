import pino, { type Logger } from 'pino'
import { GroupCommitFile } from './group-commit-file.ts'

/**
 * Paths pino blanks out whatever a caller puts in an event. Events are built from an allowlist
 * (access-event.ts), so this is a second line: if a header, a credential or a URL signature
 * ever slips into an event, it still never reaches the file. Exact paths only: wildcard paths
 * made pino copy every event and cost about 9% of a /cpx request, and each exact path costs
 * about 0.5 us a line (docs/performance.md), so the list holds only what an event could carry.
 */
export const AUDIT_REDACT_PATHS = ['headers', 'authorization', 'params.token', 'params.sig', 'params.signature']

export interface AuditLog {
  /** The audit trail's own pino instance, apart from the application log. */
  readonly logger: Logger<never, boolean>
  /** Resolves once every line logged so far is written; a response waits for it. */
  written: () => Promise<void>
  /** Opens the file anew (SIGHUP, after rotation). */
  reopen: () => void
  close: () => void
}

/** `file` is a path to append to, or `-` for stdout. */
export function createAuditLog (file: string): AuditLog {
  const destination = new GroupCommitFile(file)
  const logger = pino({
    base: null,
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    // Marks audit lines when they share stdout with the application log (`audit.file: -`).
    formatters: { level: () => ({ log: 'audit' }) },
    redact: { paths: AUDIT_REDACT_PATHS, censor: '[redacted]' }
  }, destination)
  return {
    logger,
    written: () => destination.written(),
    reopen: () => { destination.reopen() },
    close: () => { destination.close() }
  }
}
