import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { notFound } from '../errors.ts'
import { authErrorResponses } from '../http/error-schema.ts'
import type { PostureStore } from '../posture/store.ts'
import { TENANT_ID_PATTERN } from '../posture/tenant-id.ts'
import { postureQuerySchema, servePosture } from './posture-query.ts'

export const tenantParamsSchema = z.object({
  tenant: z.string().regex(TENANT_ID_PATTERN, { error: 'tenant id must match ^[a-z0-9][a-z0-9-]{0,62}$' })
})

export interface CpxTenantRouteOptions {
  readonly store: PostureStore
}

/**
 * `GET /cpx/<tenant>`: the posture shared with one customer. Registered in a context that has
 * already authenticated the caller and checked the tenant grant (app.ts), so a 404 here is only
 * ever seen by a principal entitled to that tenant.
 */
export default async function cpxTenantRoute (app: FastifyInstance, opts: CpxTenantRouteOptions) {
  app.get('/cpx/:tenant', {
    schema: { params: tenantParamsSchema, querystring: postureQuerySchema, response: authErrorResponses },
    config: { audit: 'posture_read' }
  }, async function readTenantPosture (request, reply) {
    const { tenant } = request.params as z.output<typeof tenantParamsSchema>
    const posture = opts.store.tenant(tenant)
    if (posture === undefined) throw notFound('no posture is published for this tenant')
    return servePosture(request, reply, posture, tenant, 0)
  })
}
