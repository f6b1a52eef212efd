import type { AuditReason } from '../audit-reasons.ts'
import type { Principal } from '../domain/principal.ts'

/**
 * One access on the audit line, as DESIGN.md lists its fields; built from an allowlist, never
 * from headers. The lines cpxd writes for no request (client errors, withheld evidence, an audit
 * file opened) carry a subset of these fields and a few of their own (`AuditRecord`).
 */
export interface AccessEvent {
  event: string
  request_id: string
  client_ip: string
  user_agent: string | null
  principal: { kind: Principal['kind'] | 'link', id: string | null, issuer?: string } | null
  tenant: string | null
  tier: Principal['tier'] | null
  method: string
  route: string | null
  path: string
  params: Record<string, string>
  status: number
  duration_ms: number
  reason?: AuditReason
  evidence?: { id: string, tenant: string, expires?: string }
  /** A posture version published by this request (`POST /cpx`). */
  version?: { id: string, sha256: string }
  /** What an evidence link whose signature did not verify claimed: never taken as the principal. */
  claimed?: { principal: string, tier: Principal['tier'] }
}

/**
 * An audit line as read back from a file (`cpxd audit query`, the table): the same fields as
 * written, plus what the logger and the chain add, each possibly missing, since a log may be
 * edited, truncated or merged with other output.
 */
export type AuditRecord = Partial<Omit<AccessEvent, 'principal'>> & {
  log?: string
  time?: string
  seq?: number
  chain?: string
  /** On client errors and withheld evidence: more about the reason. */
  detail?: string
  /** Read as any string: a file may hold kinds this version of cpxd does not write. */
  principal?: { kind?: string, id?: string | null, issuer?: string } | null
}

/** Query parameters worth keeping: the ones cpxd reads. Unknown ones may hold anything. */
export const AUDITED_QUERY_KEYS = ['format', 'profile', 'framework', 'system_id', 'version', 'at'] as const

const MAX_FIELD = 256

/** Keeps a caller-chosen value short enough that a probe cannot flood the log. */
export function clip (value: string): string {
  return value.length > MAX_FIELD ? `${value.slice(0, MAX_FIELD)}...` : value
}

/** The path without its query string: a query may carry a signature that must not be logged. */
export function pathOf (url: string): string {
  const q = url.indexOf('?')
  return clip(q === -1 ? url : url.slice(0, q))
}

export function auditedParams (params: unknown, query: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof params === 'object' && params !== null) {
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === 'string') out[key] = clip(value)
    }
  }
  if (typeof query === 'object' && query !== null) {
    const q = query as Record<string, unknown>
    for (const key of AUDITED_QUERY_KEYS) {
      const value = q[key]
      if (typeof value === 'string') out[key] = clip(value)
    }
  }
  return out
}
