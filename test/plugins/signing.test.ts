import { generateKeyPairSync } from 'node:crypto'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { createAuditLog } from '../../src/audit/audit-logger.ts'
import { readSecrets } from '../../src/config/secrets.ts'
import { StartupError } from '../../src/startup-error.ts'
import { testConfig } from '../helpers/build.ts'
import { scratchDir } from '../helpers/tmp.ts'

async function appWith (signing: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<FastifyInstance> {
  const dir = scratchDir()
  const config = testConfig({ signing, evidence: { cache_dir: join(dir, 'cache') } })
  return buildApp(config, { auditLog: createAuditLog(join(dir, 'audit.log')), secrets: readSecrets(config, env, 'cpxd.yaml'), configFile: 'cpxd.yaml', env })
}

async function startupError (signing: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const app = await appWith(signing, env)
    await app.close()
  } catch (err) {
    expect(err).toBeInstanceOf(StartupError)
    return (err as Error).message
  }
  throw new Error('expected a StartupError')
}

function kidsOf (app: FastifyInstance): string[] {
  return app.publishedKeys.map((key) => key.kid)
}

describe('the signing key', () => {
  it('is made at the first start, private to its owner, and the same key at the next', async () => {
    const file = join(scratchDir(), 'keys', 'signing.jwk')
    const first = await appWith({ key_file: file })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kty: 'OKP', crv: 'Ed25519', d: expect.any(String) })
    const second = await appWith({ key_file: file })
    expect(kidsOf(second)).toEqual(kidsOf(first))
    await first.close()
    await second.close()
  })

  it('makes a P-256 key with algorithm es256', async () => {
    const file = join(scratchDir(), 'signing.jwk')
    const app = await appWith({ key_file: file, algorithm: 'es256' })
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kty: 'EC', crv: 'P-256' })
    expect(app.answerSigner?.key.algorithm).toBe('es256')
    await app.close()
  })

  it('takes a PKCS#8 PEM from an environment variable', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    const app = await appWith({ key_env: 'CPXD_SIGNING_KEY' }, { CPXD_SIGNING_KEY: pem })
    expect(app.answerSigner?.key.algorithm).toBe('ed25519')
    await app.close()
  })

  it('refuses to start, naming the config key and the reason, for every key it cannot sign with', async () => {
    const dir = scratchDir()
    const write = (name: string, text: string | Buffer): string => { writeFileSync(join(dir, name), text); return join(dir, name) }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' })
    const ed = generateKeyPairSync('ed25519')
    expect(await startupError({ key_file: write('garbage.jwk', 'not a key') })).toBe('cpxd.yaml: signing.key_file: the key must hold a private key: a JWK with "d", or a PKCS#8 PEM')
    expect(await startupError({ key_file: write('broken.jwk', '{"kty":"OKP","crv":"Ed25519","d":"x"}') })).toBe('cpxd.yaml: signing.key_file: the key is not a readable key (a JWK, or a PKCS#8 PEM)')
    expect(await startupError({ key_file: write('rsa.pem', rsa) })).toBe('cpxd.yaml: signing.key_file: the key is a rsa key; cpxd signs with Ed25519 or ECDSA P-256')
    expect(await startupError({ key_file: write('public.jwk', JSON.stringify(ed.publicKey.export({ format: 'jwk' }))) })).toBe('cpxd.yaml: signing.key_file: the key holds a public key; the signing key must be the private one')
    expect(await startupError({ key_file: write('ok.jwk', JSON.stringify(ed.privateKey.export({ format: 'jwk' }))), retired_keys: [write('retired.txt', 'nothing')] }))
      .toBe('cpxd.yaml: signing.retired_keys[0]: the key must hold a key: a JWK, or a PEM')
    expect(await startupError({ key_env: 'CPXD_SIGNING_KEY' })).toBe('cpxd.yaml: signing.key_env: CPXD_SIGNING_KEY is empty or not set')
    expect(await startupError({ key_file: join(dir, 'retired.txt', 'cannot', 'be.jwk') })).toBe(`cpxd.yaml: signing.key_file: ${join(dir, 'retired.txt', 'cannot', 'be.jwk')} cannot be created: ENOTDIR`)
  })

  it('never logs or sends the private key', async () => {
    const file = join(scratchDir(), 'signing.jwk')
    const app = await appWith({ key_file: file })
    const { d } = JSON.parse(readFileSync(file, 'utf8')) as { d: string }
    for (const url of ['/.well-known/jwks.json', '/.well-known/opencpx', '/cpx?format=jws', '/openapi.json']) {
      expect((await app.inject(url)).body).not.toContain(d)
    }
    await app.close()
  })
})
