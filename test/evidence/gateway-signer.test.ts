import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { GatewaySigner, type GatewayClaims } from '../../src/evidence/gateway-signer.ts'

const claims: GatewayClaims = { tenant: 'acme', item: 'dpa', principal: 'api_key:auditor', tier: 'auditor', expires: 1_900_000_000 }

describe('GatewaySigner', () => {
  const signer = new GatewaySigner(randomBytes(32))
  const signature = signer.sign(claims)

  it('verifies its own signature', () => {
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(signer.verify(claims, signature)).toBe(true)
  })

  it.each([
    ['tenant', { tenant: 'globex' }],
    ['item', { item: 'other' }],
    ['principal', { principal: 'api_key:someone-else' }],
    ['tier', { tier: 'customer' as const }],
    ['expiry', { expires: claims.expires + 3600 }]
  ])('refuses a link whose %s was changed', (_name, change) => {
    expect(signer.verify({ ...claims, ...change }, signature)).toBe(false)
  })

  it('refuses another key\'s signature and a truncated one', () => {
    expect(new GatewaySigner(randomBytes(32)).verify(claims, signature)).toBe(false)
    expect(signer.verify(claims, signature.slice(0, 20))).toBe(false)
  })

  it('cannot be fooled by shifting text between fields', () => {
    const shifted = { ...claims, tenant: 'acme\ndpa', item: '' }
    expect(signer.verify(shifted, signature)).toBe(false)
  })
})
