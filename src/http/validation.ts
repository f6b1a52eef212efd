import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js'
import type { ZodType } from 'zod'
import { badRequest } from '../errors.ts'

/**
 * Route schemas are zod. A failure becomes a 400 whose message is the one the schema itself
 * declares (see route files), never zod's own wording.
 */
export function zodValidatorCompiler ({ schema }: FastifyRouteSchemaDef<ZodType>) {
  const validate = (data: unknown) => {
    const result = schema.safeParse(data)
    if (result.success) return { value: result.data }
    return { error: badRequest(result.error.issues[0]?.message ?? 'the request is not valid') }
  }
  // Most requests carry no query at all: an empty object that passes is validated once per route,
  // and its frozen value shared (validating it was about 1.5% of a public answer). A failure is
  // never shared: Fastify writes onto the error it is given.
  let emptyPasses: { value: unknown } | undefined
  return (data: unknown) => {
    if (emptyPasses !== undefined && isEmptyObject(data)) return emptyPasses
    const outcome = validate(data)
    if (!('value' in outcome) || !isEmptyObject(data)) return outcome
    emptyPasses = { value: Object.freeze(outcome.value) }
    return emptyPasses
  }
}

function isEmptyObject (data: unknown): boolean {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && Object.keys(data).length === 0 && Object.getOwnPropertySymbols(data).length === 0
}

/** Response schemas document each status; bodies are pre-serialized or tiny error objects. */
export function jsonSerializerCompiler () {
  return (data: unknown) => JSON.stringify(data)
}
