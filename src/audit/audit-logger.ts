import pino, { type Logger, type LoggerOptions } from 'pino'
import type { CpxdConfig } from '../config/schema.ts'
import type { AuditKeySecret } from '../config/secrets.ts'
import { StartupError } from '../startup-error.ts'
import type { AccessEvent } from './access-event.ts'
import { accessLineSerializer, REDACTION_CENSOR } from './access-line.ts'
import { AuditChain } from './audit-chain.ts'
import { loadAuditKey } from './audit-key.ts'
import { lockAuditFile, type AuditLock } from './audit-lock.ts'
import { findChainHead } from './chain-head.ts'
import { GroupCommitFile } from './group-commit-file.ts'

/**
 * Paths pino blanks out whatever a caller puts in an event. Events are built from an allowlist
 * (access-event.ts), so this is a second line: if a header, a credential or a URL signature
 * ever slips into an event, it still never reaches the file. Exact paths only: wildcard paths
 * made pino copy every event and cost about 9% of a /cpx request, and each exact path costs
 * about 0.5 us a line (docs/performance.md), so the list holds only what an event could carry.
 * Redaction happens before the line reaches the file, and the chain seals the line as written.
 */
export const AUDIT_REDACT_PATHS = ['headers', 'authorization', 'params.token', 'params.sig', 'params.signature']

export interface AuditLog {
  /** The audit trail's own pino instance, apart from the application log. */
  readonly logger: Logger<never, boolean>
  /** Writes one request's line: what `logger.info(event)` would write, at a fraction of the cost. */
  access: (event: AccessEvent) => void
  /** Resolves once every line logged so far is written; a response waits for it. */
  written: () => Promise<void>
  /** Opens the file anew (SIGHUP, after rotation). */
  reopen: () => void
  close: () => void
}

/** What a server start should tell its operator about the chain. */
export interface OpenedAuditLog {
  readonly log: AuditLog
  /** The file the chain continues from; undefined when a new chain began. */
  readonly continuedFrom: string | undefined
  readonly continuedAt: number
  /** A key file made at this start. */
  readonly keyCreated: string | undefined
}

/**
 * The server's audit log: chained under the audit key, continuing from the last sealed line of
 * the file or, after rotation, of the newest rotated file.
 */
export async function openAuditLog (audit: CpxdConfig['audit'], keySecret: AuditKeySecret, configFile: string): Promise<OpenedAuditLog> {
  // Before anything is read or written: the chain's head is only the head if no one else writes.
  const lock = await lockAuditFile(audit.file, configFile).catch((err: unknown) => {
    if (err instanceof StartupError) throw err
    throw new StartupError(configFile, 'audit.file', `${audit.file} cannot be locked: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
  })
  const found = await findChainHead(audit.file)
  const { key, created } = loadAuditKey(audit, keySecret, configFile, found.head.seq > 0)
  let log: AuditLog
  try {
    log = createAuditLog(audit.file, new AuditChain(key, found.head), lock)
  } catch (err) {
    lock.release()
    throw new StartupError(configFile, 'audit.file', `${audit.file} cannot be opened for appending: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  return {
    log,
    continuedFrom: found.from,
    continuedAt: found.head.seq,
    keyCreated: created
  }
}

/** `file` is a path to append to, or `-` for stdout; with `chain`, lines carry `seq` and `chain`. */
export function createAuditLog (file: string, chain?: AuditChain, lock?: AuditLock): AuditLog {
  const destination = new GroupCommitFile(file, chain)
  const time = isoTimeOncePerMillisecond()
  const logger = pino(auditLoggerOptions(time), destination)
  const accessLine = accessLineSerializer(time, AUDIT_REDACT_PATHS)
  return {
    logger,
    access: (event) => { destination.write(accessLine(event)) },
    written: () => destination.written(),
    reopen: () => { destination.reopen() },
    close: () => {
      destination.close()
      lock?.release()
    }
  }
}

/** An audit log that writes nothing, for tools that build the app without serving (the OpenAPI document, benchmarks). */
export function discardingAuditLog (): AuditLog {
  return { logger: pino({ level: 'silent' }), access: () => {}, written: async () => {}, reopen: () => {}, close: () => {} }
}

/** The audit logger's pino options, with `time` as its timestamp function. */
export function auditLoggerOptions (time: () => string): LoggerOptions<never, boolean> {
  return {
    base: null,
    messageKey: 'message',
    timestamp: time,
    // Marks audit lines when they share stdout with the application log (`audit.file: -`).
    formatters: { level: () => ({ log: 'audit' }) },
    redact: { paths: AUDIT_REDACT_PATHS, censor: REDACTION_CENSOR }
  }
}

/**
 * pino's isoTime, but formatting each millisecond once: under load many lines share one, and
 * toISOString was 3% of a /cpx request in the profile (docs/performance.md).
 */
export function isoTimeOncePerMillisecond (now: () => number = Date.now): () => string {
  let last = -1
  let text = ''
  return () => {
    const ms = now()
    if (ms !== last) {
      last = ms
      text = `,"time":"${new Date(ms).toISOString()}"`
    }
    return text
  }
}
