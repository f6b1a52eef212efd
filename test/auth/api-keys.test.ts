import { describe, expect, it } from 'vitest'
import { ApiKeyVerifier, generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'

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
})
