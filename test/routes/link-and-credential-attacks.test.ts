import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { matchesQuery, parseQuery } from '../../src/audit/audit-query.ts'
import { buildListening, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { rawGet } from '../helpers/raw-http.ts'

let t: TestApp
let port: number
beforeAll(async () => {
  ({ port, ...t } = await buildListening({ rate_limit: { max: 1000, window: '1m' } }))
})
afterAll(async () => { await t.app.close() })

async function dpaLink (): Promise<URL> {
  const body = (await t.app.inject({ url: '/cpx/acme?profile=full', headers: { 'x-api-key': KEYS.auditorAll } })).json()
  return new URL(body.evidence_refs.find((r: { id: string }) => r.id === 'acme-dpa-v3').url as string)
}

const follow = (url: URL, headers: Record<string, string> = {}) => t.app.inject({ url: `${url.pathname}${url.search}`, headers })
const lineOf = (res: { headers: Record<string, unknown> }) => t.auditLines().find((l) => l.request_id === res.headers['x-request-id'])

describe('links and credentials, as an attacker sends them', () => {
  it('logs a forged link as what it claims, never as the principal it names', async () => {
    const url = await dpaLink()
    url.searchParams.set('s', 'A'.repeat(43))
    const res = await follow(url)
    expect(res.statusCode).toBe(403)
    const line = lineOf(res) as Record<string, unknown>
    expect(line).toMatchObject({ principal: { kind: 'anonymous', id: null }, claimed: { principal: 'api_key:auditor-all', tier: 'auditor' } })
    expect(matchesQuery(line, parseQuery({ principal: 'auditor-all' }))).toBe(false)
    const genuine = lineOf(await follow(await dpaLink())) as Record<string, unknown>
    expect(matchesQuery(genuine, parseQuery({ principal: 'auditor-all' }))).toBe(true)
  })

  it('accepts only the signature and expiry spelled as cpxd wrote them', async () => {
    const url = await dpaLink()
    expect((await follow(url)).statusCode).toBe(200)
    const signature = url.searchParams.get('s') as string
    const last = signature.at(-1) as string
    // The last character carries 4 bits of the MAC and 2 spare ones: these decode to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const base = alphabet.indexOf(last) & ~3
    for (const variant of [0, 1, 2, 3].map((i) => alphabet[base + i] as string).filter((c) => c !== last)) {
      const other = new URL(url)
      other.searchParams.set('s', signature.slice(0, -1) + variant)
      expectError(await follow(other), 403, 'CPXD_ERR_FORBIDDEN', 'this evidence link is not valid')
    }
    const padded = new URL(url)
    padded.searchParams.set('e', `0${url.searchParams.get('e') as string}`)
    expectError(await follow(padded), 400, 'CPXD_ERR_BAD_REQUEST', 'this evidence link is malformed')
  })

  it('refuses a bad credential sent beside a good link: a sent credential must be valid', async () => {
    const res = await follow(await dpaLink(), { 'x-api-key': 'cpxd_not-a-key' })
    expectError(res, 401, 'CPXD_ERR_UNAUTHENTICATED', 'the credentials presented are not valid')
    expect((await follow(await dpaLink(), { 'x-api-key': KEYS.acmeCustomer })).statusCode).toBe(200)
  })

  it.each([
    ['Authorization twice, good one first', [`Authorization: Bearer ${KEYS.acmeCustomer}`, 'Authorization: Bearer cpxd_bad']],
    ['Authorization twice, good one last', ['Authorization: Bearer cpxd_bad', `Authorization: Bearer ${KEYS.acmeCustomer}`]],
    ['X-API-Key twice', [`X-API-Key: ${KEYS.acmeCustomer}`, `X-API-Key: ${KEYS.acmeCustomer}`]]
  ])('refuses a credential header sent twice (%s) with 401', async (_name, credentials) => {
    const answer = await rawGet(port, '/cpx/acme', ['Host: cpxd.test', ...credentials])
    expect(answer.status).toBe(401)
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="cpxd", error="invalid_token"')
    expect(t.auditLines().find((l) => l.request_id === answer.headers['x-request-id'])).toMatchObject({ status: 401, reason: 'duplicate_credentials' })
  })
})
