import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { build, copyExample, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

const PUBLISHER = generateApiKey()
const VENDOR_PUBLISHER = generateApiKey()
const OPERATOR = generateApiKey()

describe('POST /cpx and /cpx/<tenant>: publishing a new posture version (files store)', () => {
  let t: TestApp
  let dir: string
  let acmeYaml: string

  beforeAll(async () => {
    dir = scratchDir()
    copyExample(dir)
    acmeYaml = readFileSync(join(dir, 'posture', 'acme.yaml'), 'utf8')
    t = await build({
      posture_dir: join(dir, 'posture'),
      posture: { store: { history_dir: join(dir, 'history') }, publish_max_bytes: 64 * 1024 },
      evidence: { local_root: join(dir, 'evidence'), cache_dir: join(dir, 'cache') },
      auth: {
        api_keys: [
          { id: 'acme-customer', hash: hashApiKey(KEYS.acmeCustomer), tier: 'customer', tenants: ['acme'] },
          { id: 'auditor-all', hash: hashApiKey(KEYS.auditorAll), tier: 'auditor', tenants: ['*'] },
          { id: 'ops', hash: hashApiKey(OPERATOR), tier: 'operator', tenants: ['*'] },
          { id: 'pipeline', hash: hashApiKey(PUBLISHER), tier: 'publisher', tenants: ['acme'] },
          { id: 'vendor-pipeline', hash: hashApiKey(VENDOR_PUBLISHER), tier: 'publisher', tenants: ['*'] }
        ]
      }
    })
  })
  afterAll(async () => { await t.app.close() })

  function post (url: string, body: string, key: string | undefined, headers: Record<string, string> = {}) {
    return t.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/yaml', ...(key === undefined ? {} : { 'x-api-key': key }), ...headers } })
  }

  it('stores the version in history and the posture folder, answers 202, audits it, and serves it once loaded', async () => {
    const next = acmeYaml.replace('score: 0.97', 'score: 0.91')
    const response = await post('/cpx/acme', next, PUBLISHER)
    expect(response.statusCode).toBe(202)
    const answer = response.json<{ id: string, status: string, message: string, received_at: string }>()
    expect(answer).toEqual({ id: expect.stringMatching(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/), status: 'accepted', message: 'the version is stored and will be served once loaded', received_at: expect.any(String) })
    expect(readFileSync(join(dir, 'posture', 'acme.yaml'), 'utf8')).toBe(next)
    expect(readdirSync(join(dir, 'history', 'acme')).sort()).toEqual([`${answer.id}.json`, `${answer.id}.yaml`])
    const record = JSON.parse(readFileSync(join(dir, 'history', 'acme', `${answer.id}.json`), 'utf8')) as Record<string, unknown>
    expect(record).toEqual({ id: answer.id, published_at: answer.received_at, publisher: 'api_key:pipeline', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), compliance_posture: 'compliant' })
    expect(t.auditLines().at(-1)).toMatchObject({ event: 'posture_publish', tenant: 'acme', tier: 'publisher', status: 202, version: { id: answer.id, sha256: record.sha256 } })

    await t.app.refreshPosture()
    const read = await t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer } })
    expect(read.json<{ frameworks: Array<{ name: string, score: number }> }>().frameworks.find((f) => f.name === 'GDPR')?.score).toBe(0.91)
  })

  it('refuses a document a posture file could not be, naming path, reason and line, and stores nothing', async () => {
    const before = readdirSync(join(dir, 'history', 'acme')).length
    const response = await post('/cpx/acme', 'version: v1\nframeworks: 3\n', PUBLISHER)
    expectError(response, 400, 'CPXD_ERR_BAD_REQUEST', 'acme.yaml (as published): frameworks: must be a list, not a number (line 2)')
    expect(readdirSync(join(dir, 'history', 'acme'))).toHaveLength(before)
  })

  it('lets only a publisher publish, and only for a tenant it is granted, before reading the body', async () => {
    expectError(await post('/cpx/acme', acmeYaml, KEYS.acmeCustomer), 403, 'CPXD_ERR_FORBIDDEN', 'you may not publish this posture')
    expect(t.auditLines().at(-1)).toMatchObject({ event: 'posture_publish', status: 403, reason: 'not_a_publisher' })
    expectError(await post('/cpx/globex', acmeYaml, PUBLISHER), 403, 'CPXD_ERR_FORBIDDEN', 'you may not publish this posture')
    expectError(await post('/cpx', acmeYaml, PUBLISHER), 403, 'CPXD_ERR_FORBIDDEN', 'you may not publish this posture')
    expect((await post('/cpx', acmeYaml, undefined)).statusCode).toBe(401)
    expect((await post('/cpx', acmeYaml, VENDOR_PUBLISHER)).statusCode).toBe(202)
  })

  it('refuses a body over posture.publish_max_bytes (413) and a type it does not read (415)', async () => {
    expectError(await post('/cpx/acme', `# ${'x'.repeat(70 * 1024)}\n${acmeYaml}`, PUBLISHER), 413, 'CPXD_ERR_BODY_TOO_LARGE', 'request body is too large')
    expectError(await post('/cpx/acme', acmeYaml, PUBLISHER, { 'content-type': 'text/plain' }), 415, 'CPXD_ERR_UNSUPPORTED_MEDIA_TYPE', 'unsupported content type')
  })

  it('answers a retried publish with its first answer, and refuses the key for another body', async () => {
    const headers = { 'idempotency-key': 'release-2026-11-26' }
    const first = await post('/cpx/acme', acmeYaml, PUBLISHER, headers)
    const again = await post('/cpx/acme', acmeYaml, PUBLISHER, headers)
    expect(again.statusCode).toBe(202)
    expect(again.json()).toEqual(first.json())
    expect(readdirSync(join(dir, 'history', 'acme')).filter((f) => f.startsWith(first.json<{ id: string }>().id))).toHaveLength(2)
    expectError(await post('/cpx/acme', `${acmeYaml}\n# edited\n`, PUBLISHER, headers), 409, 'CPXD_ERR_CONFLICT', 'this Idempotency-Key was used for another publish; use a new key for a new version')
  })

  it('gives a publisher no posture to read', async () => {
    expectError(await t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': PUBLISHER } }), 403, 'CPXD_ERR_FORBIDDEN', 'you may not see this posture')
    expect(t.auditLines().at(-1)).toMatchObject({ reason: 'publisher_reads_no_posture' })
    expectError(await t.app.inject({ url: '/cpx/metrics', headers: { 'x-api-key': PUBLISHER } }), 403, 'CPXD_ERR_FORBIDDEN', 'you may not see this posture')
  })

  it('lists every version for auditors and operators, newest first, and for nobody else', async () => {
    const listed = await t.app.inject({ url: '/cpx/acme/versions', headers: { 'x-api-key': KEYS.auditorAll } })
    expect(listed.statusCode).toBe(200)
    const { versions } = listed.json<{ versions: Array<Record<string, string>> }>()
    expect(versions.length).toBeGreaterThanOrEqual(2)
    expect(Object.keys(versions[0] ?? {}).sort()).toEqual(['compliance_posture', 'id', 'published_at', 'publisher', 'sha256'])
    expect(versions.map((v) => v.published_at)).toEqual([...versions.map((v) => v.published_at)].sort().reverse())
    expect((await t.app.inject({ url: '/cpx/acme/versions', headers: { 'x-api-key': OPERATOR } })).json()).toEqual({ versions })
    expectError(await t.app.inject({ url: '/cpx/acme/versions', headers: { 'x-api-key': KEYS.acmeCustomer } }), 403, 'CPXD_ERR_FORBIDDEN', 'the version history is for auditors and operators')
    expect(t.auditLines().at(-1)).toMatchObject({ event: 'posture_history', reason: 'history_not_granted' })
    expect((await t.app.inject({ url: '/cpx/globex/versions', headers: { 'x-api-key': KEYS.auditorAll } })).json()).toEqual({ versions: [] })
  })

  it('reads a published version by id, or the one in force at a time, at the caller\'s tier', async () => {
    const { versions } = (await t.app.inject({ url: '/cpx/acme/versions', headers: { 'x-api-key': KEYS.auditorAll } })).json<{ versions: Array<{ id: string, published_at: string }> }>()
    const first = versions.at(-1) as { id: string, published_at: string }
    const gdprScore = async (query: string) => {
      const response = await t.app.inject({ url: `/cpx/acme?${query}`, headers: { 'x-api-key': KEYS.acmeCustomer } })
      expect(response.statusCode, response.body).toBe(200)
      return response.json<{ frameworks: Array<{ name: string, score: number, controls?: unknown }> }>().frameworks.find((f) => f.name === 'GDPR')
    }
    expect((await gdprScore(`version=${first.id}`))?.score).toBe(0.91)
    expect((await gdprScore(`at=${encodeURIComponent(first.published_at)}`))?.score).toBe(0.91)
    expect((await gdprScore(`at=${new Date().toISOString()}`))?.score).toBe(0.97)
    expect((await gdprScore(`version=${first.id}`))?.controls).toBeDefined()
    const publicTier = await t.app.inject({ url: `/cpx/acme?version=${first.id}`, headers: { 'x-api-key': PUBLISHER } })
    expect(publicTier.statusCode).toBe(403)

    const earlier = new Date(Date.parse(first.published_at) - 60_000).toISOString()
    expectError(await t.app.inject({ url: `/cpx/acme?at=${earlier}`, headers: { 'x-api-key': KEYS.acmeCustomer } }), 404, 'CPXD_ERR_NOT_FOUND', 'no published version matches version or at')
    expectError(await t.app.inject({ url: '/cpx/acme?version=20990101T000000Z-00000000', headers: { 'x-api-key': KEYS.acmeCustomer } }), 404, 'CPXD_ERR_NOT_FOUND', 'no published version matches version or at')
    expectError(await t.app.inject({ url: '/cpx/acme?version=../../etc/passwd', headers: { 'x-api-key': KEYS.acmeCustomer } }), 400, 'CPXD_ERR_BAD_REQUEST', 'version must be a version id from /cpx/<tenant>/versions')
    expectError(await t.app.inject({ url: '/cpx/acme?at=yesterday', headers: { 'x-api-key': KEYS.acmeCustomer } }), 400, 'CPXD_ERR_BAD_REQUEST', 'at must be an RFC 3339 time such as 2026-11-01T00:00:00Z')
    expectError(await t.app.inject({ url: `/cpx/acme?version=${first.id}&at=${earlier}`, headers: { 'x-api-key': KEYS.acmeCustomer } }), 400, 'CPXD_ERR_BAD_REQUEST', 'give version or at, not both')
  })
})
