import { parseDuration } from '../config/duration.ts'
import type { AuditRecord } from './access-event.ts'
import type { AuditLine } from './verify-chain.ts'

/** What `cpxd audit query` filters on; every filter given must match. */
export interface AuditQuery {
  readonly tenant?: string
  /** An id (`acme-grc`) or kind and id (`api_key:acme-grc`); evidence links count for whom they were made. */
  readonly principal?: string
  readonly events?: ReadonlySet<string>
  /** Exact statuses (`403`) and classes (`4` for `4xx`). */
  readonly statuses?: { readonly exact: ReadonlySet<number>, readonly classes: ReadonlySet<number> }
  readonly clientIp?: string
  /** Milliseconds since the epoch; since is inclusive, until exclusive. */
  readonly since?: number
  readonly until?: number
}

export interface QueryOptions {
  readonly tenant?: string
  readonly principal?: string
  readonly event?: string
  readonly status?: string
  readonly ip?: string
  readonly since?: string
  readonly until?: string
}

/** Thrown for an option that cannot be understood, naming it. */
export class QueryOptionError extends Error {}

export function parseQuery (options: QueryOptions, now = Date.now()): AuditQuery {
  const query: { -readonly [K in keyof AuditQuery]: AuditQuery[K] } = {}
  if (options.tenant !== undefined) query.tenant = options.tenant
  if (options.principal !== undefined) query.principal = options.principal
  if (options.ip !== undefined) query.clientIp = options.ip
  if (options.event !== undefined) query.events = new Set(list(options.event))
  if (options.status !== undefined) query.statuses = parseStatuses(options.status)
  if (options.since !== undefined) query.since = parseInstant('--since', options.since, now)
  if (options.until !== undefined) query.until = parseInstant('--until', options.until, now)
  return query
}

/**
 * The audit lines that match, as written (so they can still be verified). Anything else is
 * skipped: lines that are not JSON, and application log lines in a stream that merged both.
 */
export async function * queryLines (lines: AsyncIterable<AuditLine>, query: AuditQuery): AsyncGenerator<{ text: string, record: AuditRecord }> {
  for await (const { text } of lines) {
    let record: AuditRecord
    try {
      record = JSON.parse(text) as AuditRecord
    } catch {
      continue
    }
    if (typeof record === 'object' && record !== null && record.log === 'audit' && matchesQuery(record, query)) yield { text, record }
  }
}

export function matchesQuery (record: AuditRecord, query: AuditQuery): boolean {
  if (query.tenant !== undefined && record.tenant !== query.tenant && record.evidence?.tenant !== query.tenant) return false
  if (query.principal !== undefined && !principalMatches(record.principal, query.principal)) return false
  if (query.events !== undefined && !query.events.has(record.event ?? '')) return false
  if (query.clientIp !== undefined && record.client_ip !== query.clientIp) return false
  if (query.statuses !== undefined) {
    const status = record.status
    if (typeof status !== 'number' || !(query.statuses.exact.has(status) || query.statuses.classes.has(Math.floor(status / 100)))) return false
  }
  if (query.since !== undefined || query.until !== undefined) {
    const time = Date.parse(record.time ?? '')
    if (Number.isNaN(time)) return false
    if (query.since !== undefined && time < query.since) return false
    if (query.until !== undefined && time >= query.until) return false
  }
  return true
}

/**
 * `alice` or `jwt:alice` finds alice's reads, and her evidence downloads too: a link's principal
 * is the label of whom it was made for (`jwt:<issuer>|alice`, `api_key:acme-grc`).
 */
function principalMatches (principal: AuditRecord['principal'], wanted: string): boolean {
  if (principal === null || principal === undefined || typeof principal.id !== 'string') return false
  const { kind = '', id } = principal
  if (id === wanted || `${kind}:${id}` === wanted) return true
  if (kind !== 'link') return false
  const colon = id.indexOf(':')
  const linkKind = id.slice(0, colon)
  const linkId = id.slice(id.lastIndexOf('|') + 1 || colon + 1)
  return colon > 0 && (linkId === wanted || `${linkKind}:${linkId}` === wanted)
}

function list (value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '')
}

function parseStatuses (value: string): NonNullable<AuditQuery['statuses']> {
  const exact = new Set<number>()
  const classes = new Set<number>()
  for (const item of list(value)) {
    if (/^[1-5]xx$/i.test(item)) classes.add(Number(item[0]))
    else if (/^[1-5]\d\d$/.test(item)) exact.add(Number(item))
    else throw new QueryOptionError(`--status takes codes or classes such as 403, 4xx or 401,403; "${item}" is neither`)
  }
  return { exact, classes }
}

/** An ISO 8601 date or date-time, or a duration back from now (`15m`, `24h`, `7d`). */
function parseInstant (option: string, value: string, now: number): number {
  const ago = parseDuration(value)
  if (ago !== undefined) return now - ago
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN
  if (Number.isNaN(time)) throw new QueryOptionError(`${option} takes an ISO 8601 time such as 2026-11-23 or 2026-11-23T09:00:00Z, or a duration back from now such as 15m, 24h or 7d; got "${value}"`)
  return time
}
