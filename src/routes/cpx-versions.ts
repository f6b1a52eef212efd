import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { POSTURE_STATUSES } from '../posture/document.ts'
import { forbidden } from '../errors.ts'
import { authErrorResponses } from '../http/error-schema.ts'
import { tenantParamsSchema } from './cpx-tenant.ts'

const versionsSchema = z.object({
  versions: z.array(z.object({
    id: z.string(),
    published_at: z.string(),
    publisher: z.string(),
    sha256: z.string(),
    compliance_posture: z.enum(POSTURE_STATUSES)
  }))
})

/**
 * `GET /cpx/<tenant>/versions`: every published version the store keeps for a tenant, newest
 * first, for auditors and operators granted it. Registered in the tenant scope, so the grant is
 * checked as for `/cpx/<tenant>`; a tenant with no published version has an empty list.
 */
const cpxVersionsRoute: FastifyPluginAsyncZod = async function cpxVersionsRoute (app) {
  app.get('/cpx/:tenant/versions', {
    schema: {
      summary: 'The published versions of one customer\'s posture',
      params: tenantParamsSchema,
      querystring: z.strictObject({}, { error: 'the version list takes no query parameters' }),
      response: { 200: versionsSchema, ...authErrorResponses }
    },
    config: { audit: 'posture_history' }
  }, async function listVersions (request, reply) {
    const tier = request.principal?.tier
    if (tier !== 'auditor' && tier !== 'operator') throw forbidden('history_not_granted', 'the version history is for auditors and operators')
    reply.header('cache-control', 'no-store')
    return { versions: await app.postureHistory().versions(request.params.tenant) }
  })
}

export default cpxVersionsRoute
