import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'

let t: TestApp
beforeAll(async () => { t = await build() })
afterAll(async () => { await t.app.close() })

describe('GET /cpx', () => {
  it('serves the public tier to anonymous callers: summaries only, cacheable', async () => {
    const res = await t.app.inject('/cpx')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['cache-control']).toBe('public, max-age=300')
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
    const body = res.json()
    expect(body.compliance_posture).toBe('partially_compliant')
    expect(body.frameworks.map((f: { name: string }) => f.name)).toEqual(['SOC2', 'ISO27001'])
    expect(res.body).not.toContain('controls')
    expect(res.body).not.toContain('ISO42001')
    expect(body.evidence_refs.map((r: { url: string }) => r.url)).toEqual(['https://trust.northwind.example/reports/soc2-type2-2026-bridge-letter.pdf'])
    expect(Object.values(body.extensions.cpxd.evidence)).toEqual([{ id: 'soc2-bridge-letter' }])
  })

  it('answers a matching If-None-Match with 304 and no body', async () => {
    const first = await t.app.inject('/cpx')
    const res = await t.app.inject({ url: '/cpx', headers: { 'if-none-match': `"other", ${first.headers.etag as string}` } })
    expect(res.statusCode).toBe(304)
    expect(res.body).toBe('')
    expect(res.headers.etag).toBe(first.headers.etag)
  })

  it('serves HEAD with the headers of GET and no body', async () => {
    const get = await t.app.inject('/cpx')
    const head = await t.app.inject({ method: 'HEAD', url: '/cpx' })
    expect(head.statusCode).toBe(200)
    expect(head.body).toBe('')
    expect(head.headers.etag).toBe(get.headers.etag)
    expect(head.headers['content-length']).toBe(get.headers['content-length'])
  })

  it('serves YAML for ?format=yaml and for Accept: application/yaml', async () => {
    const json = (await t.app.inject('/cpx')).json()
    for (const res of [await t.app.inject('/cpx?format=yaml'), await t.app.inject({ url: '/cpx', headers: { accept: 'application/yaml' } })]) {
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('application/yaml; charset=utf-8')
      expect(parse(res.body)).toEqual(json)
    }
  })

  it('filters by framework, whatever the spelling', async () => {
    const res = await t.app.inject('/cpx?framework=iso-27001')
    expect(res.json().frameworks.map((f: { name: string }) => f.name)).toEqual(['ISO27001'])
  })

  it('answers 404 for a framework that is not there, and for one hidden from the tier', async () => {
    const message = 'no framework in this posture matches the framework filter'
    expectError(await t.app.inject('/cpx?framework=PCI-DSS'), 404, 'CPXD_ERR_NOT_FOUND', message)
    expectError(await t.app.inject('/cpx?framework=ISO42001'), 404, 'CPXD_ERR_NOT_FOUND', message)
  })

  it('emits only schema fields with ?profile=strict', async () => {
    const body = (await t.app.inject('/cpx?profile=strict')).json()
    expect(Object.keys(body).sort()).toEqual(['compliance_posture', 'evidence_refs', 'frameworks', 'timestamp', 'version'])
    expect(body.frameworks[0]).toEqual({ name: 'SOC2', status: 'compliant', score: 1 })
    expect(body.evidence_refs).toEqual(['https://trust.northwind.example/reports/soc2-type2-2026-bridge-letter.pdf'])
  })

  it('refuses unknown format, profile and parameters with 400', async () => {
    expectError(await t.app.inject('/cpx?format=xml'), 400, 'CPXD_ERR_BAD_REQUEST', 'format must be json, yaml or jws')
    expectError(await t.app.inject('/cpx?profile=lax'), 400, 'CPXD_ERR_BAD_REQUEST', 'profile must be standard, full or strict')
    expectError(await t.app.inject('/cpx?systemid=x'), 400, 'CPXD_ERR_BAD_REQUEST', 'unknown query parameter "systemid"; cpxd reads format, profile, framework, system_id, version and at')
    expectError(await t.app.inject('/cpx?format=json&format=yaml'), 400, 'CPXD_ERR_BAD_REQUEST', 'format must be json, yaml or jws')
    expectError(await t.app.inject('/cpx?framework='), 400, 'CPXD_ERR_BAD_REQUEST', 'framework must not be empty')
    expectError(await t.app.inject(`/cpx?framework=${'x'.repeat(200)}`), 400, 'CPXD_ERR_BAD_REQUEST', 'framework must be at most 128 characters')
  })

  it('gives an authenticated caller its tier, not cacheable', async () => {
    const res = await t.app.inject({ url: '/cpx', headers: { 'x-api-key': KEYS.acmeCustomer } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json()
    expect(body.frameworks.map((f: { name: string }) => f.name)).toEqual(['SOC2', 'ISO27001', 'ISO42001'])
    const control = body.frameworks[1].controls.find((c: { id: string }) => c.id === 'A.8.8')
    expect(control).toEqual({
      id: 'A.8.8',
      title: 'Management of technical vulnerabilities',
      status: 'partial',
      reason: 'Two legacy hosts exceed the 30-day patch window for medium findings.',
      remediation_date: '2027-01-31'
    })
    // What the SDK types lack is kept, under extensions.cpxd.
    expect(body.extensions.cpxd.frameworks.ISO27001.controls['A.8.8']).toEqual({ category: 'Technological' })
  })

  it('refuses a wrong key on /cpx rather than quietly serving the public tier', async () => {
    const res = await t.app.inject({ url: '/cpx', headers: { authorization: 'Bearer cpxd_0000000000000000000000000000000000000000000' } })
    expectError(res, 401, 'CPXD_ERR_UNAUTHENTICATED', 'the credentials presented are not valid')
    expect(res.headers['www-authenticate']).toBe('Bearer realm="cpxd", error="invalid_token"')
  })
})
