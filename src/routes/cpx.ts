import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { DEFAULT_POSTURE } from '../domain/tenant-id.ts'
import { authErrorResponses, commonErrorResponses, emptyBodySchema, preSerializedBodySchema } from '../http/error-schema.ts'
import { answerPostureRequest, postureQuerySchema } from './posture-query.ts'

export interface CpxRouteOptions {
  readonly publicMaxAgeSeconds: number
}

/** `GET /cpx`: the vendor's own posture; anonymous callers get the public tier. */
const cpxRoute: FastifyPluginAsyncZod<CpxRouteOptions> = async function cpxRoute (app, opts) {
  app.get('/cpx', {
    schema: {
      querystring: postureQuerySchema,
      response: { 200: preSerializedBodySchema, 304: emptyBodySchema, ...commonErrorResponses, 401: authErrorResponses[401] }
    },
    config: { audit: 'posture_read' },
    preParsing: app.acceptAnonymous
  }, function readVendorPosture (request, reply) {
    return answerPostureRequest(request, reply, { tenant: DEFAULT_POSTURE, query: request.query, publicMaxAgeSeconds: opts.publicMaxAgeSeconds, noPosture: 'no posture is published here' })
  })
}

export default cpxRoute
