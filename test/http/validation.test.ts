import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { zodValidatorCompiler } from '../../src/http/validation.ts'

const compile = (schema: z.ZodType) => zodValidatorCompiler({ schema, method: 'GET', url: '/x', httpPart: 'querystring' })

describe('zodValidatorCompiler', () => {
  it('validates an empty query once and shares its value, frozen', () => {
    let runs = 0
    const validate = compile(z.strictObject({ format: z.string().optional() }).refine(() => { runs++; return true }))
    const first = validate({})
    const second = validate(Object.create(null))
    expect(first).toEqual({ value: {} })
    expect(second).toBe(first)
    expect(Object.isFrozen((second as { value: object }).value)).toBe(true)
    expect(runs).toBe(1)
    expect(validate({ format: 'yaml' })).toEqual({ value: { format: 'yaml' } })
    expect(runs).toBe(2)
  })

  it('never shares a failure: each is a fresh 400 with the schema\'s own message', () => {
    const validate = compile(z.object({ tenant: z.string({ error: 'tenant is required' }) }))
    const first = validate({}) as { error: Error & { statusCode: number } }
    const second = validate({}) as { error: Error & { statusCode: number } }
    expect(first.error.message).toBe('tenant is required')
    expect(first.error.statusCode).toBe(400)
    expect(second.error).not.toBe(first.error)
  })
})
