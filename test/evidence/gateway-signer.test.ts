import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { GatewaySigner, type GatewayGrant } from '../../src/evidence/gateway-signer.ts'

const grant: GatewayGrant = { tenant: 'acme', principal: 'api_key:auditor', tier: 'auditor', expires: 1_900_000_000 }

describe('GatewaySigner', () => {
  const signer = new GatewaySigner(randomBytes(32))
  const signature = signer.sign(grant)

  it('verifies its own signature', () => {
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(signer.verify(grant, signature)).toBe(true)
  })

  it.each([
    ['tenant', { tenant: 'globex' }],
    ['principal', { principal: 'api_key:someone-else' }],
    ['tier', { tier: 'customer' as const }],
    ['expiry', { expires: grant.expires + 3600 }]
  ])('refuses a grant whose %s was changed', (_name, change) => {
    expect(signer.verify({ ...grant, ...change }, signature)).toBe(false)
  })

  it('refuses another key\'s signature and a truncated one', () => {
    expect(new GatewaySigner(randomBytes(32)).verify(grant, signature)).toBe(false)
    expect(signer.verify(grant, signature.slice(0, 20))).toBe(false)
  })

  it('cannot be fooled by shifting text between fields', () => {
    const shifted = { ...grant, tenant: 'acme\napi_key:auditor', principal: '' }
    expect(signer.verify(shifted, signature)).toBe(false)
  })
})
