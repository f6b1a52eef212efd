import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createJwtVerifier } from '../../../src/auth/jwt/create-jwt-verifier.ts'
import { jwtIssuerSchema } from '../../../src/config/jwt-schema.ts'
import { readJwtKeys } from '../../../src/config/secrets.ts'
import type { StartupError } from '../../../src/startup-error.ts'
import { startupErrorFrom } from '../../helpers/startup-error.ts'
import { scratchDir } from '../../helpers/tmp.ts'

function setup (entry: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const config = jwtIssuerSchema.parse({ issuer: 'https://id.example/', audience: 'cpxd', ...entry })
  const configFile = '/etc/cpxd/cpxd.yaml'
  return () => createJwtVerifier([config], readJwtKeys([config], env, configFile), { configFile, onRefreshError: () => {} })
}

function refusal (entry: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): StartupError {
  return startupErrorFrom(setup(entry, env))
}

describe('JWT key sources at start-up', () => {
  it('refuses a missing or short shared secret, naming the config path', () => {
    expect(refusal({ secret_env: 'CPXD_TEST_SECRET' }).message).toBe('/etc/cpxd/cpxd.yaml: auth.jwt[0].secret_env: CPXD_TEST_SECRET is empty or not set')
    expect(refusal({ secret_env: 'S' }, { S: 'short' }).reason).toBe('the shared secret must be at least 32 bytes')
  })

  it('refuses an unreadable or invalid JWKS file and PEM file', () => {
    const dir = scratchDir({ 'bad.json': '{"keys": 3}', 'bad.pem': 'not a key' })
    expect(refusal({ jwks_file: join(dir, 'missing.json') }).path).toBe('auth.jwt[0].jwks_file')
    expect(refusal({ jwks_file: join(dir, 'bad.json') }).reason).toMatch(/is not a valid JWKS/)
    expect(refusal({ public_key_file: join(dir, 'bad.pem') }).reason).toMatch(/is not a PEM public key/)
  })

  it('flags development keys so the server can warn', () => {
    const dir = scratchDir({ 'jwks.json': JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'cpxd-dev-1', alg: 'ES256' }] }) })
    expect(setup({ jwks_file: join(dir, 'jwks.json') })().developmentIssuers).toEqual(['https://id.example/'])
  })
})
