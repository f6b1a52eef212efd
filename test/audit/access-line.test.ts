import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { AccessEvent } from '../../src/audit/access-event.ts'
import { accessLineSerializer } from '../../src/audit/access-line.ts'
import { AUDIT_REDACT_PATHS, auditLoggerOptions } from '../../src/audit/audit-logger.ts'

const time = () => ',"time":"2026-11-26T09:00:00.123Z"'

/** What the audit logger's pino instance writes for an event. */
function pinoLine (event: object): string {
  let line = ''
  pino(auditLoggerOptions(time), { write: (text: string) => { line = text } }).info(event)
  return line
}

const base: AccessEvent = {
  event: 'http_request',
  request_id: '0b6f7c0e-5b8b-4c1a-9d8c-7f2a2b1c9d0e',
  client_ip: '127.0.0.1',
  user_agent: null,
  principal: null,
  tenant: null,
  tier: null,
  method: 'GET',
  route: '/cpx',
  path: '/cpx',
  params: {},
  status: 200,
  duration_ms: 0.41
}

const events: Record<string, AccessEvent> = {
  'a public answer': base,
  'a tenant answer with a principal and a query': { ...base, principal: { kind: 'jwt', id: 'sub-1', issuer: 'https://id.example/' }, tenant: 'acme', tier: 'customer', route: '/cpx/:tenant', path: '/cpx/acme', params: { tenant: 'acme', format: 'yaml' }, user_agent: 'curl/8.5' },
  'a refusal with a reason': { ...base, status: 401, reason: 'unknown_api_key', duration_ms: 12 },
  'an evidence link, verified': { ...base, principal: { kind: 'link', id: 'auditor' }, evidence: { id: 'soc2-report', tenant: 'acme', expires: '2026-11-26T10:00:00Z' } },
  'a forged link, with its claim': { ...base, status: 403, evidence: { id: 'x', tenant: 'acme', expires: '2026-11-26T10:00:00Z' }, claimed: { principal: 'someone', tier: 'auditor' } },
  'a publish': { ...base, method: 'POST', status: 201, version: { id: 'v-1', sha256: 'ab'.repeat(32) } },
  'quotes, backslashes, newlines and controls in caller-chosen text': { ...base, path: '/cpx/"a\\b\n\u0001', user_agent: 'x"y\ty\u007f\u00e9' },
  'route params a signature could hide in': { ...base, params: { tenant: 'acme', sig: 's3cret', token: 't0ken', signature: 'sign' } }
}

describe('an access line', () => {
  for (const [name, event] of Object.entries(events)) {
    it(`is byte for byte what pino writes: ${name}`, () => {
      expect(accessLineSerializer(time, AUDIT_REDACT_PATHS)(event)).toBe(pinoLine(event))
    })
  }

  it('censors what must never be logged, as pino does, and leaves the event as it was', () => {
    const event = { ...base, params: { tenant: 'acme', sig: 's3cret' }, headers: { authorization: 'Bearer x' }, authorization: 'Bearer y' }
    const line = accessLineSerializer(time, AUDIT_REDACT_PATHS)(event)
    expect(line).toBe(pinoLine(event))
    expect(JSON.parse(line)).toMatchObject({ params: { tenant: 'acme', sig: '[redacted]' }, headers: '[redacted]', authorization: '[redacted]' })
    expect(line).not.toMatch(/s3cret|Bearer/)
    expect(event.params.sig).toBe('s3cret')
    expect(event.headers.authorization).toBe('Bearer x')
  })

  it('is one line, starting with the audit mark and the time', () => {
    const line = accessLineSerializer(time, AUDIT_REDACT_PATHS)(base)
    expect(line.startsWith('{"log":"audit","time":"2026-11-26T09:00:00.123Z","event":"http_request",')).toBe(true)
    expect(line.indexOf('\n')).toBe(line.length - 1)
  })

  it('refuses a redaction path deeper than it censors', () => {
    expect(() => accessLineSerializer(time, ['a.b.c'])).toThrow('redaction path a.b.c: one or two keys')
  })
})
