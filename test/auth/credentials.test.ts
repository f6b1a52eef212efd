import { describe, expect, it } from 'vitest'
import { readCredential } from '../../src/auth/credentials.ts'

describe('readCredential', () => {
  it('finds none, an X-API-Key, or a bearer token', () => {
    expect(readCredential({})).toEqual({ kind: 'none' })
    expect(readCredential({ 'x-api-key': 'cpxd_a' })).toEqual({ kind: 'api_key', value: 'cpxd_a' })
    expect(readCredential({ authorization: 'Bearer abc.def.ghi' })).toEqual({ kind: 'bearer', value: 'abc.def.ghi' })
    expect(readCredential({ authorization: 'bearer abc' })).toEqual({ kind: 'bearer', value: 'abc' })
  })

  it('refuses two credentials at once, other schemes, and over-long values', () => {
    expect(readCredential({ 'x-api-key': 'a', authorization: 'Bearer b' })).toEqual({ kind: 'malformed', reason: 'two_credentials' })
    expect(readCredential({ authorization: 'Basic dXNlcjpwYXNz' })).toEqual({ kind: 'malformed', reason: 'not_bearer' })
    expect(readCredential({ authorization: 'Bearer ' })).toEqual({ kind: 'malformed', reason: 'not_bearer' })
    expect(readCredential({ 'x-api-key': 'a'.repeat(9000) })).toEqual({ kind: 'malformed', reason: 'credential_too_long' })
    expect(readCredential({ authorization: `Bearer ${'a'.repeat(9000)}` })).toEqual({ kind: 'malformed', reason: 'credential_too_long' })
  })
})
