import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AUDIT_REASONS, isAuditReason } from '../src/audit-reasons.ts'

describe('audit reasons', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'audit-log.md'), 'utf8')

  it.each(Object.keys(AUDIT_REASONS))('%s is documented in docs/audit-log.md', (reason) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${reason}\` \\| `, 'm'))
  })

  it('the documented table lists no reason cpxd does not declare', () => {
    const table = doc.slice(doc.indexOf('## Reasons'), doc.indexOf('## What cpxd promises'))
    const documented = [...table.matchAll(/^\| `([A-Za-z_]+)` \| /gm)].map((match) => match[1] as string)
    expect(documented.filter((reason) => !isAuditReason(reason))).toEqual([])
    expect(documented).toHaveLength(Object.keys(AUDIT_REASONS).length)
  })

  it('isAuditReason knows only declared reasons, not inherited names', () => {
    expect(isAuditReason('tenant_not_granted')).toBe(true)
    expect(isAuditReason('toString')).toBe(false)
    expect(isAuditReason('missing_nbf')).toBe(false)
  })
})
