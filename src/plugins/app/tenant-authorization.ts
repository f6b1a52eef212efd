import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { mayReadTenant } from '../../auth/principal.ts'
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
    const { tenant } = request.params as { tenant: string }
    if (!mayReadTenant(principal, tenant)) throw forbidden('tenant_not_granted')
  })
}, { name: 'tenant-authorization', dependencies: ['authentication'] })
