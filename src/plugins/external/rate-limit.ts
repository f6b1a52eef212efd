import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { principalLabel } from '../../domain/principal.ts'
import { rateLimited } from '../../errors.ts'

export interface RateLimitOptions {
  readonly max: number
  readonly windowMs: number
}

/** Rate-limit bucket: the principal when its credential is valid, else the client address. */
export async function rateLimitKey (request: FastifyRequest): Promise<string> {
  const result = await request.server.identify(request)
  if (!result.ok || result.principal.kind === 'anonymous') return `ip:${request.ip}`
  return `principal:${principalLabel(result.principal)}`
}

export default fp<RateLimitOptions>(async function rateLimit (app, opts) {
  await app.register(fastifyRateLimit, {
    global: true,
    max: opts.max,
    timeWindow: opts.windowMs,
    hook: 'onRequest',
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) => rateLimited(Math.max(1, Math.ceil(context.ttl / 1000)))
  })
}, {
  name: 'rate-limit',
  // The bucket is the caller's identity, which authentication works out (once per request).
  dependencies: ['authentication']
})
