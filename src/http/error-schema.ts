import { Readable } from 'node:stream'
import { z } from 'zod'

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), request_id: z.string() })
}).meta({ id: 'Error', description: 'Every error cpxd answers: a code (docs/errors.md), a message for people, and the request id to quote' })

/** A body cpxd serialized ahead of time (a rendered posture): sent as it is. */
export const preSerializedBodySchema = z.instanceof(Buffer)

/** A file streamed to the client. */
export const streamedBodySchema = z.instanceof(Readable)

/** 302 and 304 carry no body. */
export const emptyBodySchema = z.null()

/**
 * The error statuses every cpxd route can answer with: malformed input or no Host (400), a
 * missing item (404), a body over the limit (413), an unmet Expect (417), the rate limit (429), a
 * fault (500), and unavailable (503).
 */
export const commonErrorResponses = {
  400: errorBodySchema,
  404: errorBodySchema,
  413: errorBodySchema,
  417: errorBodySchema,
  429: errorBodySchema,
  500: errorBodySchema,
  503: errorBodySchema
} as const

export const authErrorResponses = {
  ...commonErrorResponses,
  401: errorBodySchema,
  403: errorBodySchema
} as const
