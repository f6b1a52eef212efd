import type { AuditRecord } from './access-event.ts'

/** Fixed widths, so a table streams line by line however long the log is. */
const COLUMNS = [
  { title: 'TIME', width: 24, value: (r: AuditRecord) => r.time },
  { title: 'EVENT', width: 18, value: (r: AuditRecord) => r.event },
  { title: 'STATUS', width: 6, value: (r: AuditRecord) => (r.status === undefined ? undefined : String(r.status)) },
  { title: 'METHOD', width: 7, value: (r: AuditRecord) => r.method },
  { title: 'TENANT', width: 14, value: (r: AuditRecord) => r.tenant ?? r.evidence?.tenant },
  { title: 'PRINCIPAL', width: 28, value: principalOf },
  { title: 'TIER', width: 8, value: (r: AuditRecord) => r.tier },
  { title: 'CLIENT IP', width: 15, value: (r: AuditRecord) => r.client_ip }
] as const

export const TABLE_HEADER = row(COLUMNS.map((c) => c.title), 'PATH (REASON)')

export function tableRow (record: AuditRecord): string {
  const detail = [record.path, record.evidence?.id === undefined ? undefined : `evidence ${record.evidence.id}`, record.reason === undefined ? undefined : `(${record.reason})`]
  return row(COLUMNS.map((c) => c.value(record) ?? '-'), detail.filter((d) => d !== undefined).join(' ') || '-')
}

/**
 * Who, in the room a column has: the subject of a token rather than its issuer's URL, which would
 * fill the column (an evidence link names `jwt:<issuer>|<subject>`; the line keeps it whole).
 */
function principalOf (record: AuditRecord): string | undefined {
  const p = record.principal
  if (p === null || p === undefined) return undefined
  if (p.id === null || p.id === undefined) return p.kind
  const bar = p.id.lastIndexOf('|')
  const id = p.kind === 'link' && p.id.startsWith('jwt:') && bar !== -1 ? `jwt:${p.id.slice(bar + 1)}` : p.id
  return `${p.kind ?? '?'}:${id}`
}

function row (cells: readonly string[], last: string): string {
  const fixed = cells.map((cell, i) => fit(printable(cell), COLUMNS[i]?.width ?? 10))
  return `${[...fixed, printable(last)].join(' ')}\n`
}

function fit (value: string, width: number): string {
  return value.length > width ? `${value.slice(0, width - 1)}…` : value.padEnd(width)
}

/**
 * A client chose the path and user agent; JSON kept their escape sequences inert, but decoded
 * they would reach the operator's terminal, so control characters and bidi overrides become `?`.
 */
function printable (value: string): string {
  return value.replace(/[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, '?')
}
