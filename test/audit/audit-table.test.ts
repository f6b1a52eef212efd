import { describe, expect, it } from 'vitest'
import { TABLE_HEADER, tableRow } from '../../src/audit/audit-table.ts'

describe('the audit table', () => {
  it('lines up fixed-width columns under the header, with the path and reason last', () => {
    const row = tableRow({ time: '2026-11-23T11:30:00.000Z', event: 'posture_read', status: 403, method: 'GET', tenant: 'globex', principal: { kind: 'api_key', id: 'acme-grc' }, tier: 'customer', client_ip: '203.0.113.7', path: '/cpx/globex', reason: 'tenant_not_granted' })
    expect(TABLE_HEADER.indexOf('STATUS')).toBe(row.indexOf('403'))
    expect(TABLE_HEADER.indexOf('PRINCIPAL')).toBe(row.indexOf('api_key:acme-grc'))
    expect(row.endsWith(' /cpx/globex (tenant_not_granted)\n')).toBe(true)
    expect(row.length).toBe(TABLE_HEADER.length - 'PATH (REASON)'.length + ' /cpx/globex (tenant_not_granted)'.length - 1)
  })

  it('shows absent fields as "-", cuts long ones, and names the evidence item', () => {
    expect(tableRow({ event: 'evidence_access', principal: { kind: 'link', id: 'jwt:https://login.example.com/tenant/v2.0|alice' } })).toContain(' link:jwt:alice ')
    expect(tableRow({ event: 'posture_read', principal: { kind: 'jwt', id: 'alice', issuer: 'https://login.example.com/' } })).toContain(' jwt:alice ')
    const row = tableRow({ event: 'evidence_access', principal: { kind: 'link', id: `jwt:${'x'.repeat(40)}` }, evidence: { id: 'soc2-report', tenant: 'acme' }, path: '/evidence/acme/soc2-report' })
    expect(row).toContain(`link:jwt:${'x'.repeat(18)}… `)
    expect(row).toMatch(/^- {24}evidence_access/)
    expect(row).toContain(' acme ')
    expect(row.trimEnd().endsWith('/evidence/acme/soc2-report evidence soc2-report')).toBe(true)
  })

  it('never passes a control character from a client to the terminal', () => {
    const row = tableRow({ event: 'http_request', path: '/\u001b]0;pwned\u0007', tenant: 'a\u009bb' })
    expect(row).not.toMatch(/(?!\n)\p{Cc}/u)
    expect(row).toContain('/?]0;pwned?')
  })
})
