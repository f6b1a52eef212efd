import type { FastifyPluginAsync } from 'fastify'
import { methodNotAllowed } from '../errors.ts'
import { errorBodySchema } from '../http/error-schema.ts'

/** The methods each of cpxd's paths takes (OPTIONS: CORS preflights, where CORS applies). */
export const ALLOWED_METHODS: Readonly<Record<string, readonly string[]>> = {
  '/cpx': ['GET', 'HEAD', 'OPTIONS', 'POST'],
  '/cpx/:tenant': ['GET', 'HEAD', 'OPTIONS', 'POST'],
  '/cpx/:tenant/versions': ['GET', 'HEAD', 'OPTIONS'],
  '/cpx/metrics': ['GET', 'HEAD', 'OPTIONS'],
  '/evidence/:tenant/:item': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/readyz': ['GET', 'HEAD'],
  '/openapi.json': ['GET', 'HEAD'],
  '/.well-known/jwks.json': ['GET', 'HEAD'],
  '/.well-known/opencpx': ['GET', 'HEAD']
}

/** Methods a client may try on a known path; any other is not routed at all (404). */
const OTHER_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const

/**
 * A wrong method on a known path is a 405 naming the right ones (RFC 9110 15.5.6), through every
 * hook like any answer, not the 404 of a path that does not exist.
 */
const methodNotAllowedRoutes: FastifyPluginAsync = async function methodNotAllowedRoutes (app) {
  for (const [url, allowed] of Object.entries(ALLOWED_METHODS)) {
    app.route({
      method: OTHER_METHODS.filter((method) => !allowed.includes(method)),
      url,
      schema: { summary: `Not allowed: ${url} takes ${allowed.join(', ')}`, response: { 405: errorBodySchema } },
      // No body is read for an answer that does not depend on it.
      preParsing: async function refuseMethod (request) { throw methodNotAllowed(request.method, allowed) },
      handler: async function unreachable () { throw new Error('preParsing refuses every request') }
    })
  }
}

export default methodNotAllowedRoutes
