import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { mayReadTenant } from '../../domain/principal.ts'
import { forbidden, unauthenticated } from '../../errors.ts'

/**
 * Registered inside the tenant routes' context, after authentication: the tenant in the URL
 * must be one the principal may read. The answer does not depend on whether the tenant exists,
 * so nobody learns tenant names by probing.
 */
export default fp(async function tenantAuthorization (app) {
  app.addHook('preHandler', async function authorizeTenant (request: FastifyRequest) {
    const principal = request.principal
    if (principal === null) throw unauthenticated('missing_credentials', false)
    const tenant = tenantParam(request.params)
    if (tenant === undefined || !mayReadTenant(principal, tenant)) throw forbidden('tenant_not_granted')
  })
}, { name: 'tenant-authorization', dependencies: ['authentication'] })

/** The route's schema has validated the params by now; a route without a tenant grants nothing. */
function tenantParam (params: unknown): string | undefined {
  return typeof params === 'object' && params !== null && 'tenant' in params && typeof params.tenant === 'string' ? params.tenant : undefined
}
