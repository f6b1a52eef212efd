import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig, resolveConfigPath } from '../../src/config/loader.ts'
import type { StartupError } from '../../src/startup-error.ts'
import { startupErrorFrom } from '../helpers/startup-error.ts'
import { scratchDir } from '../helpers/tmp.ts'

function load (yaml: string, env: NodeJS.ProcessEnv = {}) {
  const dir = scratchDir({ 'cpxd.yaml': yaml })
  return { dir, file: join(dir, 'cpxd.yaml'), loaded: () => loadConfig(join(dir, 'cpxd.yaml'), env) }
}

function failure (yaml: string, env: NodeJS.ProcessEnv = {}): StartupError {
  return startupErrorFrom(load(yaml, env).loaded)
}

describe('loadConfig', () => {
  it('fills every default and resolves paths from the config folder', () => {
    const { dir, loaded } = load('{}\n')
    const { config } = loaded()
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080, request_timeout: 10_000, headers_timeout: 5000, body_limit: 16_384 })
    expect(config.posture_dir).toBe(join(dir, 'posture'))
    expect(config.audit.file).toBe(join(dir, 'audit.log'))
    expect(config.rate_limit).toEqual({ max: 120, window: 60_000, clients: 100_000, max_in_flight: 16, on_store_error: 'fail_closed' })
    expect(config.public.max_age).toBe(300_000)
  })

  it('keeps `-` as stdout for the audit log and parses durations with units', () => {
    const { config } = load('audit: { file: "-" }\nrate_limit: { max: 5, window: 2m }\n').loaded()
    expect(config.audit.file).toBe('-')
    expect(config.rate_limit.window).toBe(120_000)
  })

  it('names file, key path, reason and line for a bad value', () => {
    const err = failure('server:\n  host: 0.0.0.0\n  port: 99999\n')
    expect(err.path).toBe('server.port')
    expect(err.reason).toMatch(/line 3/)
    expect(err.message).toContain('cpxd.yaml: server.port:')
  })

  it('refuses unknown keys, so a typo is not silently ignored', () => {
    const err = failure('server: { port: 8080 }\n\nrate_limt: { max: 5 }\n')
    expect(err.path).toBe('rate_limt')
    expect(err.reason).toBe('is not a key cpxd knows here (a typo?) (line 3)')
  })

  it('says a missing key is required, and a value of the wrong type what it must be, with their lines', () => {
    const missing = failure('auth:\n  api_keys:\n    - id: a\n      tier: customer\n')
    expect(missing.path).toBe('auth.api_keys[0].hash')
    expect(missing.reason).toBe('is required (a string) (line 3)')
    const wrong = failure('rate_limit:\n  max: "5"\n')
    expect(wrong.path).toBe('rate_limit.max')
    expect(wrong.reason).toBe('must be a number, not a string (line 2)')
    // A key pasted under the wrong setting is named by its kind, never echoed.
    const pasted = failure('evidence:\n  gateway_key_env: 12345e67\n')
    expect(pasted.message).not.toContain('12345')
    expect(pasted.reason).toMatch(/^must be a string, not a number \(line 2\)$/)
  })

  it('refuses a key for a tenant named after a path of cpxd\'s own (/cpx/metrics)', () => {
    const err = failure(`auth:\n  api_keys:\n    - { id: a, hash: "sha256:${'0'.repeat(64)}", tier: customer, tenants: [metrics] }\n`)
    expect(err.path).toBe('auth.api_keys[0].tenants[0]')
    expect(err.reason).toMatch(/^cannot be a tenant: \/cpx\/<this> is a path of cpxd's own/)
  })

  it('refuses replicas (a shared store or shared counters) without one evidence link key for all of them', () => {
    for (const yaml of ['posture: { store: { kind: postgres, url_env: CPXD_PG } }\n', 'rate_limit: { redis_url: "redis://127.0.0.1:6379/0" }\n']) {
      const err = failure(yaml)
      expect(err.path).toBe('evidence.gateway_key_env')
      expect(err.reason).toBe('replicas (posture.store postgres, or rate_limit.redis_url) need one evidence link key they all share: set evidence.gateway_key_env or gateway_key_file (at least 32 random bytes)')
    }
    expect(failure('rate_limit: { redis_url: "redis://:hunter2@127.0.0.1:6379/0" }\nevidence: { gateway_key_env: K }\n').reason).toMatch(/^must not hold a password: name a variable with redis_url_env instead/)
    expect(failure('posture: { store: { kind: postgres } }\nevidence: { gateway_key_env: K }\n').path).toBe('posture.store.url_env')
  })

  it('refuses an api key entry with a plain-text key instead of a hash', () => {
    const err = failure('auth:\n  api_keys:\n    - id: a\n      hash: cpxd_plaintext\n      tier: customer\n')
    expect(err.path).toBe('auth.api_keys[0].hash')
    expect(err.reason).toMatch(/sha256:<64 lowercase hex>/)
  })

  it('refuses duplicate key ids', () => {
    const hash = `sha256:${'a'.repeat(64)}`
    const hash2 = `sha256:${'b'.repeat(64)}`
    const err = failure(`auth:\n  api_keys:\n    - { id: a, hash: "${hash}", tier: customer }\n    - { id: a, hash: "${hash2}", tier: auditor }\n`)
    expect(err.path).toBe('auth.api_keys[1].id')
  })

  it('refuses a CORS origin that is not exact', () => {
    const err = failure('cors:\n  origins: ["https://trust.example.com/"]\n')
    expect(err.path).toBe('cors.origins[0]')
    expect(err.reason).toMatch(/exact origin/)
  })

  it('refuses trust_proxy: true, which would let any client choose its own address', () => {
    const err = failure('server: { trust_proxy: true }\n')
    expect(err.path).toBe('server.trust_proxy')
    expect(err.reason).toBe('must be false, a hop count from 1 to 10, or a list of proxy addresses and CIDR blocks (true would trust every client) (line 1)')
  })

  it('refuses http_redirect_port without server.tls: there would be no HTTPS to send clients to', () => {
    const err = failure('server: { http_redirect_port: 8080 }\n')
    expect(err.path).toBe('server.http_redirect_port')
    expect(err.reason).toMatch(/^http_redirect_port redirects to HTTPS, so it needs server.tls/)
  })

  it('takes proxy addresses and CIDR blocks, and refuses an entry that is not one', () => {
    expect(load('audit: { file: "-", key_env: K }\nserver: { trust_proxy: [10.0.0.0/8, "::1", 192.0.2.7, "fd00::/8"] }\n').loaded().config.server.trust_proxy).toEqual(['10.0.0.0/8', '::1', '192.0.2.7', 'fd00::/8'])
    for (const entry of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129']) {
      const err = failure(`server: { trust_proxy: ["${entry}"] }\n`)
      expect(err.path).toBe('server.trust_proxy[0]')
      expect(err.reason).toBe('must be an IP address or a CIDR block such as 10.0.0.0/8 or "::1"; host names are not trusted (line 1)')
    }
  })

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(failure('server: { request_timeout: 5s, headers_timeout: 9s }\n').path).toBe('server.headers_timeout')
  })

  it('refuses a duration without a unit it knows', () => {
    const err = failure('rate_limit: { window: 1 fortnight }\n')
    expect(err.path).toBe('rate_limit.window')
    expect(err.reason).toMatch(/duration such as/)
  })

  it('reports YAML syntax errors with their line', () => {
    const err = failure('server:\n  port: [8080\n')
    expect(err.reason).toMatch(/^line \d+: not valid YAML/)
  })

  it('reports a missing file plainly', () => {
    expect(() => loadConfig('/nonexistent/cpxd.yaml')).toThrow('/nonexistent/cpxd.yaml: file not found')
  })

  it('applies CPXD_HOST and CPXD_PORT over the file', () => {
    const { config } = load('server: { port: 1 }\n', { CPXD_HOST: '0.0.0.0', CPXD_PORT: '9090' }).loaded()
    expect(config.server.host).toBe('0.0.0.0')
    expect(config.server.port).toBe(9090)
  })

  it('takes the audit file from CPXD_AUDIT_FILE, for containers', () => {
    const { config } = load('audit: { file: a.log }\n', { CPXD_AUDIT_FILE: '/var/log/cpxd/audit.log' }).loaded()
    expect(config.audit.file).toBe('/var/log/cpxd/audit.log')
  })

  it('names the environment variable when an override is bad', () => {
    const err = failure('{}\n', { CPXD_PORT: 'eighty' })
    expect(err.path).toBe('server.port')
    expect(err.reason).toMatch(/CPXD_PORT/)
  })
})

describe('resolveConfigPath', () => {
  it('prefers --config, then CPXD_CONFIG, then config/cpxd.yaml', () => {
    expect(resolveConfigPath('/a.yaml', { CPXD_CONFIG: '/b.yaml' })).toBe('/a.yaml')
    expect(resolveConfigPath(undefined, { CPXD_CONFIG: '/b.yaml' })).toBe('/b.yaml')
    expect(resolveConfigPath(undefined, {})).toMatch(/config\/cpxd\.yaml$/)
  })
})

describe('auth.jwt', () => {
  const base = 'auth:\n  jwt:\n    issuer: https://id.example/\n    audience: cpxd\n'

  it('fills the defaults and resolves key files from the config folder', () => {
    const { dir, loaded } = load(`${base}    jwks_file: keys/jwks.json\n`)
    const [issuer] = loaded().config.auth.jwt ?? []
    expect(issuer).toMatchObject({
      algorithms: ['ES256', 'EdDSA', 'RS256'],
      tenants_claim: 'cpx_tenants',
      tier_claim: 'cpx_tier',
      max_tier: 'customer',
      clock_tolerance: 30_000,
      max_token_age: 86_400_000,
      jwks_file: join(dir, 'keys', 'jwks.json')
    })
  })

  it('takes a list of issuers', () => {
    const { config } = load('auth:\n  jwt:\n    - { issuer: a, audience: x, jwks_file: a.json }\n    - { issuer: b, audience: x, secret_env: B_SECRET }\n').loaded()
    expect(config.auth.jwt?.map((i) => [i.issuer, i.algorithms])).toEqual([['a', ['ES256', 'EdDSA', 'RS256']], ['b', ['HS256']]])
  })

  it('needs exactly one key source', () => {
    expect(failure(base).reason).toMatch(/exactly one key source .* found none/)
    expect(failure(`${base}    jwks_file: a.json\n    public_key_file: a.pem\n`).reason).toMatch(/found jwks_file, public_key_file/)
  })

  it('refuses HS256 without a shared secret, and public-key algorithms with one', () => {
    const hs = failure(`${base}    jwks_file: a.json\n    algorithms: [ES256, HS256]\n`)
    expect(hs.path).toBe('auth.jwt[0].algorithms')
    expect(hs.reason).toMatch(/HS256 needs a shared secret/)
    expect(failure(`${base}    secret_env: S\n    algorithms: [RS256]\n`).reason).toMatch(/a shared secret signs only HS256/)
  })

  it('refuses a plain-http JWKS URL other than localhost', () => {
    expect(failure(`${base}    jwks_url: http://idp.example/jwks\n`).path).toBe('auth.jwt[0].jwks_url')
    expect(load(`${base}    jwks_url: http://127.0.0.1:9/jwks\n`).loaded().config.auth.jwt?.[0]?.jwks_url).toBe('http://127.0.0.1:9/jwks')
  })

  it('refuses an unknown algorithm and a secret written into the YAML', () => {
    expect(failure(`${base}    jwks_file: a.json\n    algorithms: [none]\n`).path).toBe('auth.jwt[0].algorithms[0]')
    expect(failure(`${base}    secret: hunter2hunter2hunter2hunter2hunter2\n`).path).toBe('auth.jwt[0].secret')
  })
})

describe('evidence', () => {
  it('defaults links to 1 hour and refuses a lifetime over 24 hours at start-up', () => {
    expect(load('{}\n').loaded().config.evidence.link_lifetime).toBe(3_600_000)
    expect(load('evidence: { link_lifetime: 24h }\n').loaded().config.evidence.link_lifetime).toBe(86_400_000)
    const err = failure('evidence: { link_lifetime: 25h }\n')
    expect(err.path).toBe('evidence.link_lifetime')
    expect(err.reason).toMatch(/must be between 1m and 24h/)
  })

  it('takes the hash cache folder from CPXD_EVIDENCE_CACHE_DIR, for containers', () => {
    expect(load('{}\n', { CPXD_EVIDENCE_CACHE_DIR: '/var/lib/cpxd/hash-cache' }).loaded().config.evidence.cache_dir).toBe('/var/lib/cpxd/hash-cache')
  })

  it('resolves evidence paths from the config folder', () => {
    const { dir, loaded } = load('evidence: { local_root: files, cache_dir: state/hashes }\n')
    expect(loaded().config.evidence).toMatchObject({ local_root: join(dir, 'files'), cache_dir: join(dir, 'state', 'hashes') })
  })
})
