import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { TENANT_ID_PATTERN } from '../domain/tenant-id.ts'
import { authErrorResponses, preSerializedBodySchema } from '../http/error-schema.ts'
import { answerPostureRequest, postureQuerySchema } from './posture-query.ts'

export const tenantParamsSchema = z.object({
  tenant: z.string().regex(TENANT_ID_PATTERN, { error: 'tenant id must match ^[a-z0-9][a-z0-9-]{0,62}$' })
})

/**
 * `GET /cpx/<tenant>`: the posture shared with one customer. Registered in a context that has
 * already authenticated the caller and checked the tenant grant (app.ts), so a 404 here is only
 * ever seen by a principal entitled to that tenant. Authenticated answers are never cached, so
 * there is no 304.
 */
const cpxTenantRoute: FastifyPluginAsyncZod = async function cpxTenantRoute (app) {
  app.get('/cpx/:tenant', {
    schema: {
      params: tenantParamsSchema,
      querystring: postureQuerySchema,
      response: { 200: preSerializedBodySchema, ...authErrorResponses }
    },
    config: { audit: 'posture_read' }
  }, function readTenantPosture (request, reply) {
    return answerPostureRequest(request, reply, { tenant: request.params.tenant, query: request.query, publicMaxAgeSeconds: 0, noPosture: 'no posture is published for this tenant' })
  })
}

export default cpxTenantRoute
