import { describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/audit/access-event.ts'
import { matchesQuery, parseQuery, QueryOptionError, queryLines } from '../../src/audit/audit-query.ts'
import { asInput } from '../helpers/audit-chain.ts'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const refused: AuditRecord = {
  time: '2026-11-23T11:30:00.000Z',
  event: 'posture_read',
  status: 403,
  tenant: 'globex',
  client_ip: '203.0.113.7',
  principal: { kind: 'api_key', id: 'acme-grc' }
}
const download: AuditRecord = {
  time: '2026-11-20T08:00:00.000Z',
  event: 'evidence_access',
  status: 200,
  tenant: null,
  evidence: { id: 'soc2-report', tenant: 'acme' },
  principal: { kind: 'link', id: 'jwt:https://id.example/|alice' }
}
const matches = (record: AuditRecord, options: Parameters<typeof parseQuery>[0]) => matchesQuery(record, parseQuery(options, NOW))

describe('audit queries', () => {
  it('match on tenant, the evidence tenant included', () => {
    expect(matches(refused, { tenant: 'globex' })).toBe(true)
    expect(matches(download, { tenant: 'acme' })).toBe(true)
    expect(matches(refused, { tenant: 'acme' })).toBe(false)
  })

  it('match a principal by id or by kind and id', () => {
    expect(matches(refused, { principal: 'acme-grc' })).toBe(true)
    expect(matches(refused, { principal: 'api_key:acme-grc' })).toBe(true)
    expect(matches(refused, { principal: 'jwt:acme-grc' })).toBe(false)
    expect(matches({ ...refused, principal: null }, { principal: 'acme-grc' })).toBe(false)
  })

  it('match an evidence download to the principal its link was made for', () => {
    expect(matches(download, { principal: 'alice' })).toBe(true)
    expect(matches(download, { principal: 'jwt:alice' })).toBe(true)
    expect(matches(download, { principal: 'api_key:alice' })).toBe(false)
    expect(matches(download, { principal: 'https://id.example/' })).toBe(false)
    const byKey = { ...download, principal: { kind: 'link', id: 'api_key:demo-auditor' } }
    expect(matches(byKey, { principal: 'demo-auditor' })).toBe(true)
    expect(matches(byKey, { principal: 'api_key:demo-auditor' })).toBe(true)
    expect(matches(byKey, { principal: 'link:api_key:demo-auditor' })).toBe(true)
  })

  it('match events and statuses from lists, with status classes', () => {
    expect(matches(download, { event: 'posture_read,evidence_access' })).toBe(true)
    expect(matches(download, { event: 'posture_read' })).toBe(false)
    expect(matches(refused, { status: '4xx' })).toBe(true)
    expect(matches(refused, { status: '401, 403' })).toBe(true)
    expect(matches(refused, { status: '5xx,401' })).toBe(false)
    expect(matches({ event: 'audit_log_opened' }, { status: '4xx' })).toBe(false)
  })

  it('match a time window given as ISO times or as durations back from now', () => {
    expect(matches(refused, { since: '1h' })).toBe(true)
    expect(matches(download, { since: '1h' })).toBe(false)
    expect(matches(download, { since: '7d' })).toBe(true)
    expect(matches(download, { since: '2026-11-20', until: '2026-11-21' })).toBe(true)
    expect(matches(download, { until: '2026-11-20T08:00:00Z' })).toBe(false)
    expect(matches({ event: 'x' }, { since: '7d' })).toBe(false)
  })

  it('match a client address', () => {
    expect(matches(refused, { ip: '203.0.113.7' })).toBe(true)
    expect(matches(download, { ip: '203.0.113.7' })).toBe(false)
  })

  it.each([
    [{ status: '40x' }, '--status takes codes or classes such as 403, 4xx or 401,403; "40x" is neither'],
    [{ status: '600' }, '--status takes codes or classes such as 403, 4xx or 401,403; "600" is neither'],
    [{ since: 'yesterday' }, '--since takes an ISO 8601 time such as 2026-11-23 or 2026-11-23T09:00:00Z, or a duration back from now such as 15m, 24h or 7d; got "yesterday"'],
    [{ until: '2026-13-45' }, '--until takes an ISO 8601 time such as 2026-11-23 or 2026-11-23T09:00:00Z, or a duration back from now such as 15m, 24h or 7d; got "2026-13-45"']
  ])('refuse %j naming the option', (options, message) => {
    expect(() => parseQuery(options, NOW)).toThrow(new QueryOptionError(message))
  })

  it('yield matching audit lines exactly as written, skipping application log lines and lines that are not JSON', async () => {
    const lines = [
      '{"log":"audit","event":"posture_read", "status":403}',
      'not json',
      '{"log":"audit","event":"posture_read","status":200}',
      '{"level":50,"time":1795446764984,"status":403,"msg":"request failed"}',
      'null'
    ]
    const found = []
    for await (const match of queryLines(asInput(lines), parseQuery({ status: '403' }))) found.push(match.text)
    expect(found).toEqual(['{"log":"audit","event":"posture_read", "status":403}'])
  })
})
