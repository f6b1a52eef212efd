import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { CpxdConfig } from '../../config/schema.ts'
import { principalLabel } from '../../domain/principal.ts'
import { rateLimited } from '../../errors.ts'
import { addressBucket } from '../../http/address-bucket.ts'
import { clientAddress } from '../../http/client-address.ts'
import { WindowCounter } from '../../http/window-counter.ts'
import { isProbe } from '../../http/probe.ts'

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
  let limits = opts.limits
  const retryAfter = (ttl: number) => rateLimited(Math.max(1, Math.ceil(ttl / 1000)))
  await app.register(fastifyRateLimit, {
    global: true,
    // Read per request, so a reload changes them; existing buckets keep their counts.
    max: () => limits.max,
    timeWindow: () => limits.window,
    hook: 'onRequest',
    cache: limits.clients,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) => retryAfter(context.ttl)
  })
  let preAuthentication = preAuthenticationCounter(limits)
  app.onConfigReload('rate-limit', ({ config }) => {
    const next = config.rate_limit
    const counter = preAuthMax(next) === preAuthMax(limits) && next.window === limits.window ? preAuthentication : preAuthenticationCounter(next)
    return () => {
      limits = next
      preAuthentication = counter
    }
  })
  const perCaller = app.createRateLimit()
  // Callback style, and a synchronous counter: this runs on every request, and a promise per
  // request here was measurable (docs/performance.md).
  app.addHook('onRequest', function limitBeforeAuthentication (request, _reply, done) {
    // Probes stay unlimited; everything else counts.
    if (isProbe(request)) return done()
    const before = preAuthentication.hit(addressBucket(clientAddress(request)))
    if (before.exceeded) return done(retryAfter(before.ttl))
    if (!isPreflight(request)) return done()
    perCaller(request).then((own) => { done(!own.isAllowed && own.isExceeded ? retryAfter(own.ttl) : undefined) }, done)
  })
}, {
  name: 'rate-limit',
  // The bucket is the caller's identity, which authentication works out (once per request).
  dependencies: ['authentication', 'config-reload']
})

function preAuthMax (limits: CpxdConfig['rate_limit']): number {
  return limits.pre_auth_max ?? limits.max * PRE_AUTH_FACTOR
}

function preAuthenticationCounter (limits: CpxdConfig['rate_limit']): WindowCounter {
  return new WindowCounter(preAuthMax(limits), limits.window, limits.clients)
}
