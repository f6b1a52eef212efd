import { Readable } from 'node:stream'
import { z } from 'zod'

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), request_id: z.string() })
})

/** A body cpxd serialized ahead of time (a rendered posture): sent as it is. */
export const preSerializedBodySchema = z.instanceof(Buffer)

/** A file streamed to the client. */
export const streamedBodySchema = z.instanceof(Readable)

/** 302 and 304 carry no body. */
export const emptyBodySchema = z.null()

/** The error statuses every cpxd route can answer with. */
export const commonErrorResponses = {
  400: errorBodySchema,
  404: errorBodySchema,
  413: errorBodySchema,
  429: errorBodySchema,
  500: errorBodySchema,
  503: errorBodySchema
} as const

export const authErrorResponses = {
  ...commonErrorResponses,
  401: errorBodySchema,
  403: errorBodySchema
} as const
