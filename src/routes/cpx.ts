import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { DEFAULT_POSTURE } from '../domain/tenant-id.ts'
import { notFound, postureNotLoaded } from '../errors.ts'
import { authErrorResponses, commonErrorResponses, emptyBodySchema, preSerializedBodySchema } from '../http/error-schema.ts'
import { postureAsked, postureQuerySchema, servePosture } from './posture-query.ts'

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
  }, async function readVendorPosture (request, reply) {
    const version = app.posture.current
    if (version === undefined) throw postureNotLoaded()
    const asked = await postureAsked(request, version, DEFAULT_POSTURE, request.query)
    if (asked === undefined) throw notFound(request.query.version === undefined && request.query.at === undefined ? 'no posture is published here' : 'no published version matches version or at')
    return servePosture(request, reply, { version, posture: asked.posture, historic: asked.historic, tenant: DEFAULT_POSTURE, query: request.query, publicMaxAgeSeconds: opts.publicMaxAgeSeconds })
  })
}

export default cpxRoute
