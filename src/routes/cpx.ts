import type { FastifyInstance } from 'fastify'
import { notFound } from '../errors.ts'
import { commonErrorResponses, authErrorResponses } from '../http/error-schema.ts'
import type { PostureStore } from '../posture/store.ts'
import { DEFAULT_POSTURE } from '../posture/tenant-id.ts'
import { postureQuerySchema, servePosture } from './posture-query.ts'

export interface CpxRouteOptions {
  readonly store: PostureStore
  readonly publicMaxAgeSeconds: number
}

/** `GET /cpx`: the vendor's own posture; anonymous callers get the public tier. */
export default async function cpxRoute (app: FastifyInstance, opts: CpxRouteOptions) {
  app.get('/cpx', {
    schema: { querystring: postureQuerySchema, response: { ...commonErrorResponses, 401: authErrorResponses[401] } },
    config: { audit: 'posture_read' },
    preParsing: app.acceptAnonymous
  }, async function readVendorPosture (request, reply) {
    const posture = opts.store.vendor()
    if (posture === undefined) throw notFound('no posture is published here')
    return servePosture(request, reply, posture, DEFAULT_POSTURE, opts.publicMaxAgeSeconds)
  })
}
