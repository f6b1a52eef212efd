import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ApiKeyVerifier, DEMO_KEY_HASHES, generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { writeProject } from '../helpers/build.ts'
import { startServer } from '../helpers/process.ts'

describe('API keys', () => {
  it('are prefixed, 256-bit and different every time', () => {
    const a = generateApiKey()
    expect(a).toMatch(/^cpxd_[A-Za-z0-9_-]{43}$/)
    expect(generateApiKey()).not.toBe(a)
  })

  it('hash to the sha256:<hex> form the config stores', () => {
    // sha256('cpxd_x'), computed independently
    expect(hashApiKey('cpxd_x')).toBe('sha256:5a9226b53cca07e684950d43085130bc9ef9542a994b86a1084921f6317b2fcc')
  })

  it('verify the right key and refuse others', () => {
    const key = generateApiKey()
    const other = generateApiKey()
    const verifier = new ApiKeyVerifier([
      { id: 'other', hash: hashApiKey(other), tier: 'auditor', tenants: [] },
      { id: 'mine', hash: hashApiKey(key), tier: 'customer', tenants: ['acme'] }
    ])
    expect(verifier.verify(key)?.id).toBe('mine')
    expect(verifier.verify(other)?.id).toBe('other')
    expect(verifier.verify(generateApiKey())).toBeUndefined()
    expect(verifier.verify(`${key}x`)).toBeUndefined()
    expect(verifier.verify('')).toBeUndefined()
  })

  it('find each of many keys as its own entry', () => {
    const keys = Array.from({ length: 1000 }, () => generateApiKey())
    const verifier = new ApiKeyVerifier(keys.map((key, i) => ({ id: `customer-${i}`, hash: hashApiKey(key), tier: 'customer', tenants: [`t${i}`] })))
    expect(keys.map((key) => verifier.verify(key)?.id)).toEqual(keys.map((_, i) => `customer-${i}`))
    expect(verifier.verify(generateApiKey())).toBeUndefined()
  })
})

describe('the demo keys', () => {
  it('are the ones README.md publishes, so start-up can warn when they are accepted', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8')
    const published = [...readme.matchAll(/\bcpxd_[A-Za-z0-9_-]{43}\b/g)].map((match) => hashApiKey(match[0]))
    expect(new Set(published)).toEqual(DEMO_KEY_HASHES)
  })

  it('make the real server warn at start', async () => {
    const [hash] = [...DEMO_KEY_HASHES]
    const { config } = writeProject([`auth: { api_keys: [{ id: demo-auditor, hash: "${hash ?? ''}", tier: auditor, tenants: [acme] }] }`])
    const server = await startServer(config)
    server.child.kill('SIGTERM')
    await server.exited
    expect(server.stderr()).toMatch(/"key_id":"demo-auditor".*its plaintext is published in README\.md/)
  })
})
