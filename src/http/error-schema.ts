import { z } from 'zod'

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), request_id: z.string() })
})

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
