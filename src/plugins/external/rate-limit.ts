import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { CpxdConfig } from '../../config/schema.ts'
import { principalLabel } from '../../domain/principal.ts'
import { rateLimited } from '../../errors.ts'
import { addressBucket } from '../../http/address-bucket.ts'
import { clientAddress } from '../../http/client-address.ts'

export interface RateLimitOptions {
  readonly limits: CpxdConfig['rate_limit']
}

/** The pre-authentication limit, by default ten times the per-principal one. */
const PRE_AUTH_FACTOR = 10

/** Rate-limit bucket: the principal when its credential is valid, else the client address. */
export async function rateLimitKey (request: FastifyRequest): Promise<string> {
  const result = await request.server.identify(request)
  if (!result.ok || result.principal.kind === 'anonymous') return `ip:${addressBucket(clientAddress(request))}`
  return `principal:${principalLabel(result.principal)}`
}

function isPreflight (request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined
}

/**
 * Two limits. Every request first spends from a cheap bucket per client address (`pre_auth_max`),
 * checked before anything is verified, so a client at its limit cannot make cpxd check one more
 * signature. Then each route spends from the caller's own bucket, its principal once the credential
 * is valid, else its address (`max`). CORS preflights are answered by the CORS plugin before any
 * route, so this plugin is registered first and counts them here.
 */
export default fp<RateLimitOptions>(async function rateLimit (app, opts) {
  const { limits } = opts
  const retryAfter = (ttl: number) => rateLimited(Math.max(1, Math.ceil(ttl / 1000)))
  await app.register(fastifyRateLimit, {
    global: true,
    max: limits.max,
    timeWindow: limits.window,
    hook: 'onRequest',
    cache: limits.clients,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) => retryAfter(context.ttl)
  })
  const preAuthOptions = {
    max: limits.pre_auth_max ?? limits.max * PRE_AUTH_FACTOR,
    keyGenerator: (request: FastifyRequest) => `pre:${addressBucket(clientAddress(request))}`,
    // Sizes this limit's own store as the main one; @fastify/rate-limit reads it, its types omit it.
    cache: limits.clients
  }
  const preAuthentication = app.createRateLimit(preAuthOptions)
  const perCaller = app.createRateLimit()
  app.addHook('onRequest', async function limitBeforeAuthentication (request) {
    // Probes stay unlimited (routes/health.ts); everything else counts.
    if (request.routeOptions.config.rateLimit === false) return
    const before = await preAuthentication(request)
    if (!before.isAllowed && before.isExceeded) throw retryAfter(before.ttl)
    if (!isPreflight(request)) return
    const own = await perCaller(request)
    if (!own.isAllowed && own.isExceeded) throw retryAfter(own.ttl)
  })
}, {
  name: 'rate-limit',
  // The bucket is the caller's identity, which authentication works out (once per request).
  dependencies: ['authentication']
})
