import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { tableRow } from '../../src/audit/audit-table.ts'
import { build, type TestApp } from '../helpers/build.ts'

let apps: TestApp[] = []
afterEach(async () => {
  for (const t of apps) await t.app.close()
  apps = []
})

async function app (overrides: Record<string, unknown> = {}): Promise<TestApp> {
  const t = await build(overrides)
  apps.push(t)
  return t
}

describe('what a client can put on an audit line', () => {
  it('a garbage X-Forwarded-For from behind a trusted proxy is not taken as the client address', async () => {
    const t = await app({ server: { trust_proxy: 1 } })
    const garbage = `not-an-address<script>${'x'.repeat(500)}`
    const res = await t.app.inject({ url: '/cpx', remoteAddress: '10.0.0.9', headers: { 'x-forwarded-for': garbage } })
    expect(t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])).toMatchObject({ client_ip: '10.0.0.9' })
    const forwarded = await t.app.inject({ url: '/cpx', remoteAddress: '10.0.0.9', headers: { 'x-forwarded-for': '203.0.113.5' } })
    expect(t.auditLines().find((l) => l.request_id === forwarded.headers['x-request-id'])).toMatchObject({ client_ip: '203.0.113.5' })
  })

  it('C1 controls and bidi overrides are escaped in the file, and the line still reads back the same', async () => {
    const t = await app()
    const agent = 'agent\u009b31m\u202eevil\u2066x\u2028y'
    const res = await t.app.inject({ url: '/cpx/a\u202eb', headers: { 'user-agent': agent } })
    const text = readFileSync(t.auditFile, 'utf8')
    expect(text).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/)
    expect(text).toContain('agent\\u009b31m\\u202eevil\\u2066x\\u2028y')
    const line = t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])
    expect(line?.user_agent).toBe(agent)
    expect(tableRow({ event: 'http_request', path: '/cpx/a\u202eb', tenant: 'a\u2066b' })).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/)
  })
})
