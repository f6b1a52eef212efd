import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyMessageSignature } from '../../src/signing/verify.ts'
import { build, KEYS, type TestApp } from '../helpers/build.ts'
import { expectError } from '../helpers/expect-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

/** Every member a private JWK of any type may carry. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

describe('/.well-known/jwks.json and /.well-known/opencpx', () => {
  let t: TestApp
  let retiredKid: string

  beforeAll(async () => {
    const dir = scratchDir()
    // Retired keys kept as private files on purpose: only their public half may ever be published.
    const retiredJwk = join(dir, 'retired.jwk')
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })
    writeFileSync(retiredJwk, JSON.stringify(ed))
    const retiredPem = join(dir, 'retired.pem')
    writeFileSync(retiredPem, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }))
    t = await build({ server: { public_url: 'https://trust.northwind.example/' }, signing: { key_file: join(dir, 'current.jwk'), retired_keys: [retiredJwk, retiredPem, retiredJwk] } })
    retiredKid = (await t.app.inject('/.well-known/jwks.json')).json<{ keys: Array<{ kid: string }> }>().keys[1]?.kid as string
  })
  afterAll(async () => { await t.app.close() })

  it('publishes the current key, then each retired key once, with public members only', async () => {
    const response = await t.app.inject('/.well-known/jwks.json')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/jwk-set+json; charset=utf-8')
    expect(response.headers['cache-control']).toBe('public, max-age=300')
    const { keys } = response.json<{ keys: Array<Record<string, string>> }>()
    expect(keys.map((key) => [key.kty, key.crv, key.alg, key.use])).toEqual([
      ['OKP', 'Ed25519', 'EdDSA', 'sig'],
      ['OKP', 'Ed25519', 'EdDSA', 'sig'],
      ['EC', 'P-256', 'ES256', 'sig']
    ])
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(key.kty === 'EC' ? ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'] : ['alg', 'crv', 'kid', 'kty', 'use', 'x'])
      expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/)
    }
    const raw = JSON.parse(response.body) as unknown
    const members = new Set<string>()
    JSON.stringify(raw, (name, value: unknown) => { members.add(name); return value })
    for (const member of PRIVATE_MEMBERS) expect(members.has(member)).toBe(false)
    expect(retiredKid).toBe(keys[1]?.kid)
  })

  it('describes where everything is and how answers are signed, on public_url', async () => {
    const response = await t.app.inject('/.well-known/opencpx')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      issuer: 'https://trust.northwind.example',
      opencpx_version: 'v1',
      posture_endpoint: 'https://trust.northwind.example/cpx',
      tenant_posture_endpoint: 'https://trust.northwind.example/cpx/{tenant}',
      metrics_endpoint: 'https://trust.northwind.example/cpx/metrics',
      openapi_uri: 'https://trust.northwind.example/openapi.json',
      jwks_uri: 'https://trust.northwind.example/.well-known/jwks.json',
      formats_supported: ['json', 'yaml', 'jws'],
      profiles_supported: ['standard', 'full', 'strict'],
      tiers_supported: ['public', 'customer', 'auditor'],
      signing: {
        http_message_signatures: {
          label: 'cpx',
          covered_components: ['@status', 'content-type', 'content-digest'],
          tenant_covered_components: ['@status', 'content-type', 'content-digest', '@path;req'],
          algorithm: 'ed25519'
        },
        jws: { media_type: 'application/jose', typ: 'cpx+jws', alg: 'EdDSA' }
      }
    })
  })

  it('is audited as discovery and takes no other method', async () => {
    await t.app.inject('/.well-known/opencpx')
    expect(t.auditLines().at(-1)).toMatchObject({ event: 'discovery', path: '/.well-known/opencpx', status: 200 })
    const refused = await t.app.inject({ method: 'POST', url: '/.well-known/jwks.json' })
    expectError(refused, 405, 'CPXD_ERR_METHOD_NOT_ALLOWED', 'POST is not allowed here; use GET, HEAD')
  })

  it('signs a shared answer once: the same signature for every anonymous request of one version', async () => {
    const first = await t.app.inject('/cpx')
    const second = await t.app.inject('/cpx')
    expect(first.headers.signature).toMatch(/^cpx=:[A-Za-z0-9+/]+={0,2}:$/)
    expect(second.headers.signature).toBe(first.headers.signature)
    expect(second.headers['signature-input']).toBe(first.headers['signature-input'])
    // A 304 has no body to sign.
    const notModified = await t.app.inject({ url: '/cpx', headers: { 'if-none-match': first.headers.etag as string } })
    expect(notModified.statusCode).toBe(304)
    expect(notModified.headers.signature).toBeUndefined()
  })

  it('signs the path a tenant answer was asked on, caching only the canonical one', async () => {
    const canonical = await t.app.inject({ url: '/cpx/acme', headers: { 'x-api-key': KEYS.acmeCustomer } })
    expect(canonical.headers['signature-input']).toMatch(/^cpx=\("@status" "content-type" "content-digest" "@path";req\);created=\d+;expires=\d+;keyid="[\w-]{43}";alg="ed25519"$/)
    const encoded = await t.app.inject({ url: '/cpx/%61cme', headers: { 'x-api-key': KEYS.acmeCustomer } })
    expect(encoded.statusCode).toBe(200)
    expect(encoded.body).toBe(canonical.body)
    // Same body, same second at most one apart: only the covered path makes the signatures differ.
    const jwks = (await t.app.inject('/.well-known/jwks.json')).json<{ keys: Array<{ kid: string }> }>()
    const now = Math.floor(Date.now() / 1000)
    const answer = (r: typeof encoded, requestPath: string) => ({ status: 200, headers: r.headers as Record<string, string>, body: r.rawPayload, requestPath })
    expect(verifyMessageSignature(answer(encoded, '/cpx/%61cme'), jwks, now).kid).toBe(jwks.keys[0]?.kid)
    expect(() => verifyMessageSignature(answer(encoded, '/cpx/acme'), jwks, now)).toThrow('the HTTP signature does not verify')
  })
})

describe('with signing.enabled: false', () => {
  let t: TestApp
  beforeAll(async () => { t = await build({ signing: { enabled: false } }) })
  afterAll(async () => { await t.app.close() })

  it('sends no signature, publishes no key, and refuses format=jws naming why', async () => {
    const answer = await t.app.inject('/cpx')
    expect(answer.statusCode).toBe(200)
    expect(answer.headers.signature).toBeUndefined()
    expect(answer.headers['content-digest']).toBeUndefined()
    expect((await t.app.inject('/.well-known/jwks.json')).json()).toEqual({ keys: [] })
    const discovery = (await t.app.inject('/.well-known/opencpx')).json<Record<string, unknown>>()
    expect(discovery.signing).toBeNull()
    expect(discovery.formats_supported).toEqual(['json', 'yaml'])
    expectError(await t.app.inject('/cpx?format=jws'), 400, 'CPXD_ERR_BAD_REQUEST', 'a signed document (format jws) needs signing, which this server has turned off')
  })
})
