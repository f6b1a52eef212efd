import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js'
import type { ZodType } from 'zod'
import { badRequest } from '../errors.ts'

/**
 * Route schemas are zod. A failure becomes a 400 whose message is the one the schema itself
 * declares (see route files), never zod's own wording.
 */
export function zodValidatorCompiler ({ schema }: FastifyRouteSchemaDef<ZodType>) {
  return (data: unknown) => {
    const result = schema.safeParse(data)
    if (result.success) return { value: result.data }
    return { error: badRequest(result.error.issues[0]?.message ?? 'the request is not valid') }
  }
}

/** Response schemas document each status; bodies are pre-serialized or tiny error objects. */
export function jsonSerializerCompiler () {
  return (data: unknown) => JSON.stringify(data)
}
