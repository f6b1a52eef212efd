import { statSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeProject } from '../helpers/build.ts'
import { runEntry, startServer, type RunningServer } from '../helpers/process.ts'
import { scratchDir } from '../helpers/tmp.ts'

const ISSUER = 'https://id.example/'

function project (): { dir: string, config: string } {
  return writeProject(['auth:', `  jwt: { issuer: "${ISSUER}", audience: cpxd, jwks_file: dev-jwt/jwks.json, max_tier: auditor, max_token_age: 1h }`])
}

describe('cpxd token', () => {
  let p: { dir: string, config: string }
  let server: RunningServer
  let token: string

  beforeAll(async () => {
    p = project()
    const keys = runEntry('cli/index.js', ['token', 'dev-keys', '--config', p.config])
    expect(keys.status).toBe(0)
    const minted = runEntry('cli/index.js', ['token', 'mint', '--config', p.config, '--tenant', 'acme', '--tier', 'auditor', '--ttl', '15m', '--sub', 'alice'])
    expect(minted.status).toBe(0)
    token = minted.stdout.trim()
    server = await startServer(p.config)
  })
  afterAll(() => { server.child.kill('SIGKILL') })

  it('dev-keys writes a private key only its owner can read, and a JWKS with a dev kid', () => {
    expect(statSync(join(p.dir, 'dev-jwt', 'private.jwk.json')).mode & 0o777).toBe(0o600)
    const jwks = JSON.parse(readFileSync(join(p.dir, 'dev-jwt', 'jwks.json'), 'utf8')) as { keys: Array<{ kid: string, d?: string }> }
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]?.kid).toMatch(/^cpxd-dev-/)
    expect(jwks.keys[0]?.d).toBeUndefined()
  })

  it('dev-keys will not replace keys already there without --force', () => {
    const again = runEntry('cli/index.js', ['token', 'dev-keys', '--config', p.config])
    expect(again.status).toBe(2)
    expect(again.stderr).toBe(`cpxd: ${join(p.dir, 'dev-jwt')} already holds development keys, and tokens minted with them stop working once they are replaced; pass --force to replace them\nrun \`cpxd token dev-keys --help\` for usage\n`)
    const dir = join(p.dir, 'other-keys')
    expect(runEntry('cli/index.js', ['token', 'dev-keys', '--dir', dir]).status).toBe(0)
    const before = readFileSync(join(dir, 'jwks.json'), 'utf8')
    expect(runEntry('cli/index.js', ['token', 'dev-keys', '--dir', dir, '--force']).status).toBe(0)
    expect(readFileSync(join(dir, 'jwks.json'), 'utf8')).not.toBe(before)
  })

  it('mint prints a token with the configured issuer, audience, claims and lifetime', () => {
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'JWT' })
    const claims = decodeJwt(token)
    expect(claims).toMatchObject({ iss: ISSUER, aud: 'cpxd', sub: 'alice', cpx_tenants: ['acme'], cpx_tier: 'auditor' })
    expect((claims.exp as number) - (claims.iat as number)).toBe(900)
  })

  it('the server accepts the minted token over HTTP, warns about dev keys, and never logs the token', async () => {
    const ok = await fetch(`${server.baseUrl}/cpx/acme`, { headers: { authorization: `Bearer ${token}` } })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('implementation_notes')
    expect((await fetch(`${server.baseUrl}/cpx/globex`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403)
    const tampered = `${token.slice(0, -4)}AAAA`
    expect((await fetch(`${server.baseUrl}/cpx/acme`, { headers: { authorization: `Bearer ${tampered}` } })).status).toBe(401)
    expect(server.stderr()).toContain('development keys')
    const logs = readFileSync(join(p.dir, 'audit.log'), 'utf8') + server.stderr()
    const [, payload, signature] = token.split('.')
    for (const part of [token, tampered, payload, signature]) expect(logs).not.toContain(part)
    expect(logs).toContain('"principal":{"kind":"jwt","id":"alice","issuer":"https://id.example/"}')
  })

  it('mint refuses a lifetime the server would refuse, and an unknown tier', () => {
    const long = runEntry('cli/index.js', ['token', 'mint', '--config', p.config, '--ttl', '2h'])
    expect(long.status).toBe(2)
    expect(long.stderr).toContain("--ttl is longer than the issuer's max_token_age")
    expect(runEntry('cli/index.js', ['token', 'mint', '--config', p.config, '--tier', 'root']).status).toBe(2)
  })

  it('mint explains what to do when no issuer uses dev keys', () => {
    const dir = scratchDir({ 'cpxd.yaml': 'posture_dir: p\n' })
    const result = runEntry('cli/index.js', ['token', 'mint', '--config', join(dir, 'cpxd.yaml')])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('run `cpxd token dev-keys`')
  })
})
