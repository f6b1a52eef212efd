import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildListening, KEYS, type TestApp } from '../helpers/build.ts'
import { toolAvailable } from '../helpers/tools.ts'

const VERIFIER = join(import.meta.dirname, '..', 'clients', 'verify_signature.py')
const pythonAvailable = toolAvailable('python3', ['-c', 'import cryptography'], 'python3-cryptography', 'signed answers are verified with Python\'s cryptography, which shares no code with cpxd')

interface Fetched {
  status: number
  headers: Record<string, string>
  body: Buffer
  path: string
}

type Case = Record<string, unknown>

/** Runs the Python verifier on each case (one process): `ok`, or `fail: <reason>`, for each. */
function pythonVerdicts (cases: Case[]): string[] {
  const result = spawnSync('python3', [VERIFIER], { input: JSON.stringify(cases), encoding: 'utf8' })
  if (result.stderr !== '') throw new Error(result.stderr)
  return result.stdout.trim().split('\n')
}

function httpCase (answer: Fetched, jwks: unknown, now: number, tenantPath: boolean): Case {
  return { kind: 'http', status: answer.status, headers: answer.headers, body_b64: answer.body.toString('base64'), path: tenantPath ? answer.path : null, jwks, now }
}

function nowSeconds (): number {
  return Math.floor(Date.now() / 1000)
}

describe.runIf(pythonAvailable).each([
  { algorithm: 'ed25519', kty: 'OKP' },
  { algorithm: 'es256', kty: 'EC' }
])('signed answers ($algorithm), verified by an implementation that shares no code with cpxd', ({ algorithm, kty }) => {
  let t: TestApp & { port: number }
  let other: TestApp & { port: number }
  let jwks: { keys: Array<Record<string, unknown>> }

  async function get (path: string, key?: string, accept?: string): Promise<Fetched> {
    const headers: Record<string, string> = {}
    if (key !== undefined) headers['x-api-key'] = key
    if (accept !== undefined) headers.accept = accept
    const response = await fetch(`http://127.0.0.1:${t.port}${path}`, { headers })
    return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()), path: path.split('?')[0] as string }
  }

  beforeAll(async () => {
    const keyDir = mkdtempSync(join(tmpdir(), 'cpxd-signing-test-'))
    t = await buildListening({ signing: { algorithm, key_file: join(keyDir, 'a.jwk') } })
    other = await buildListening({ signing: { algorithm, key_file: join(keyDir, 'b.jwk') } })
    jwks = await (await fetch(`http://127.0.0.1:${t.port}/.well-known/jwks.json`)).json() as typeof jwks
  })
  afterAll(async () => {
    await t.app.close()
    await other.app.close()
  })

  it('publishes one public key of the configured type', () => {
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).toMatchObject({ kty, use: 'sig', alg: algorithm === 'ed25519' ? 'EdDSA' : 'ES256' })
  })

  it.each([
    { name: 'public /cpx', path: '/cpx', key: undefined, tenant: false },
    { name: 'public /cpx in YAML', path: '/cpx?format=yaml', key: undefined, tenant: false },
    { name: 'customer /cpx/acme', path: '/cpx/acme', key: KEYS.acmeCustomer, tenant: true },
    { name: 'auditor /cpx/acme, links made for this request', path: '/cpx/acme', key: KEYS.auditorAll, tenant: true },
    { name: 'auditor /cpx', path: '/cpx?format=yaml', key: KEYS.auditorAll, tenant: false }
  ])('$name: verifies, and fails for a changed byte, a changed header, a wrong key and an expired signature', async ({ path, key, tenant }) => {
    const answer = await get(path, key)
    expect(answer.status).toBe(200)
    const now = nowSeconds()
    const body = Buffer.from(answer.body)
    body[10] = (body[10] as number) ^ 1
    const changedType = { ...answer.headers, 'content-type': 'text/plain; charset=utf-8' }
    const otherKeys = await (await fetch(`http://127.0.0.1:${other.port}/.well-known/jwks.json`)).json() as typeof jwks
    const impostor = { keys: [{ ...otherKeys.keys[0], kid: jwks.keys[0]?.kid }] }
    const expires = Number(/;expires=(\d+)/.exec(answer.headers['signature-input'] ?? '')?.[1])
    const created = Number(/;created=(\d+)/.exec(answer.headers['signature-input'] ?? '')?.[1])
    expect(expires - created).toBe(86_400)
    expect(pythonVerdicts([
      httpCase(answer, jwks, now, tenant),
      httpCase({ ...answer, body }, jwks, now, tenant),
      httpCase({ ...answer, headers: changedType }, jwks, now, tenant),
      httpCase({ ...answer, path: tenant ? '/cpx/globex' : answer.path }, jwks, now, tenant),
      httpCase(answer, impostor, now, tenant),
      httpCase(answer, jwks, expires, tenant)
    ])).toEqual([
      'ok',
      'fail: content-digest does not match the body',
      'fail: signature does not verify',
      tenant ? 'fail: signature does not verify' : 'ok',
      'fail: signature does not verify',
      'fail: outside the validity window'
    ])
  })

  it.each([
    { name: 'public, ?format=jws', path: '/cpx?format=jws', key: undefined, accept: undefined, tenant: undefined, tier: 'public' },
    { name: 'customer, Accept: application/jose', path: '/cpx/acme', key: KEYS.acmeCustomer, accept: 'application/jose', tenant: 'acme', tier: 'customer' },
    { name: 'auditor, with links', path: '/cpx/acme?format=jws', key: KEYS.auditorAll, accept: undefined, tenant: 'acme', tier: 'auditor' }
  ])('a JWS ($name) verifies, carries its claims, and its payload is the JSON answer', async ({ path, key, accept, tenant, tier }) => {
    const answer = await get(path, key, accept)
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toBe('application/jose')
    const jws = answer.body.toString()
    const now = nowSeconds()
    const [header, payload, signature] = jws.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>
    expect(claims).toEqual({
      alg: algorithm === 'ed25519' ? 'EdDSA' : 'ES256',
      kid: jwks.keys[0]?.kid,
      typ: 'cpx+jws',
      cty: 'json',
      iss: `http://127.0.0.1:${t.port}`,
      iat: expect.any(Number),
      exp: (claims.iat as number) + 86_400,
      ...(tenant === undefined ? {} : { cpxd_tenant: tenant }),
      cpxd_tier: tier
    })
    const document = Buffer.from(payload, 'base64url')
    if (tier !== 'auditor') expect(document.equals((await get(path.replace(/\?.*/, ''), key)).body)).toBe(true)
    expect(JSON.parse(document.toString())).toHaveProperty('organization')

    const changed = Buffer.from(document.toString().replace('"', ' "')).toString('base64url')
    expect(pythonVerdicts([
      { kind: 'jws', jws, jwks, now },
      // The answer as sent is signed over HTTP too.
      httpCase(answer, jwks, now, tenant !== undefined),
      { kind: 'jws', jws: `${header}.${changed}.${signature}`, jwks, now },
      { kind: 'jws', jws, jwks, now: claims.exp }
    ])).toEqual(['ok', 'ok', 'fail: signature does not verify', 'fail: outside the validity window'])
  })
})
