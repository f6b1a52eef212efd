import { describe, expect, it } from 'vitest'
import { negotiateFormat } from '../../src/posture/formats.ts'

describe('negotiateFormat', () => {
  it.each([
    [undefined, undefined, 'json'],
    [undefined, '*/*', 'json'],
    [undefined, 'application/yaml', 'yaml'],
    [undefined, 'text/yaml', 'yaml'],
    [undefined, 'application/json, application/yaml', 'json'],
    [undefined, 'application/yaml, application/json;q=0.5', 'yaml'],
    ['json', 'application/yaml', 'json'],
    ['yaml', 'application/json', 'yaml'],
    [undefined, 'application/jose', 'jws'],
    [undefined, 'application/jose, application/json;q=0.5', 'jws'],
    [undefined, 'application/json, application/jose', 'json'],
    [undefined, '*/*, application/jose', 'json'],
    ['jws', 'application/yaml', 'jws'],
    ['json', 'application/jose', 'json']
  ] as const)('query %s, Accept %s -> %s', (query, accept, expected) => {
    expect(negotiateFormat(query, accept)).toBe(expected)
  })
})
