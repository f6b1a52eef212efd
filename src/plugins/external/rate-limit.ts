import fastifyRateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { CpxdConfig } from '../../config/schema.ts'
import { principalLabel } from '../../domain/principal.ts'
import { rateLimited } from '../../errors.ts'
import { addressBucket } from '../../http/address-bucket.ts'
import { clientAddress } from '../../http/client-address.ts'
import { WindowCounter } from '../../http/window-counter.ts'
import { isProbe } from '../../http/probe.ts'
import type { RedisCounters } from '../../http/redis-counters.ts'

export interface RateLimitOptions {
  readonly limits: CpxdConfig['rate_limit']
  /** Counters in this Redis, shared by every replica; in this process when undefined. */
  readonly redisUrl: string | undefined
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
  const redis = opts.redisUrl === undefined ? undefined : await sharedCounters(opts.redisUrl, limits.on_store_error, app.log)
  if (redis !== undefined) {
    await redis.ready()
    app.addHook('onClose', async () => { await redis.close() })
  }
  await app.register(fastifyRateLimit, {
    global: true,
    // Read per request, so a reload changes them; existing buckets keep their counts.
    max: () => limits.max,
    timeWindow: () => limits.window,
    hook: 'onRequest',
    cache: limits.clients,
    ...(redis === undefined ? {} : { store: sharedStore(redis, 'caller') }),
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
  if (redis !== undefined) {
    addSharedPreAuthenticationLimit(app, redis, () => limits, retryAfter)
    return
  }
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

/** ioredis is loaded only when counters are shared. */
async function sharedCounters (url: string, policy: CpxdConfig['rate_limit']['on_store_error'], log: FastifyBaseLogger): Promise<RedisCounters> {
  const { RedisCounters } = await import('../../http/redis-counters.ts')
  return new RedisCounters(url, policy, log)
}

/**
 * With Redis, the per-address bucket is a Redis counter too (one round trip per request), so a
 * client spread over replicas meets one limit.
 */
function addSharedPreAuthenticationLimit (app: FastifyInstance, redis: RedisCounters, limits: () => CpxdConfig['rate_limit'], retryAfter: (ttl: number) => Error): void {
  const perCaller = app.createRateLimit()
  app.addHook('onRequest', async function limitBeforeAuthentication (request) {
    if (isProbe(request)) return
    const before = await redis.hit('pre', addressBucket(clientAddress(request)), limits().window)
    if (before.current > preAuthMax(limits())) throw retryAfter(before.ttl)
    if (!isPreflight(request)) return
    const own = await perCaller(request)
    if (!own.isAllowed && own.isExceeded) throw retryAfter(own.ttl)
  })
}

/** @fastify/rate-limit's store interface over RedisCounters: every route shares the caller's bucket. */
function sharedStore (redis: RedisCounters, namespace: string): FastifyRateLimitStoreCtor {
  return class SharedStore implements FastifyRateLimitStore {
    incr (key: string, callback: (error: Error | null, result?: { current: number, ttl: number }) => void, timeWindow: number): void {
      redis.hit(namespace, key, timeWindow).then((result) => { callback(null, result) }, (err: Error) => { callback(err) })
    }

    child (): FastifyRateLimitStore {
      return this
    }
  }
}

function preAuthMax (limits: CpxdConfig['rate_limit']): number {
  return limits.pre_auth_max ?? limits.max * PRE_AUTH_FACTOR
}

function preAuthenticationCounter (limits: CpxdConfig['rate_limit']): WindowCounter {
  return new WindowCounter(preAuthMax(limits), limits.window, limits.clients)
}
