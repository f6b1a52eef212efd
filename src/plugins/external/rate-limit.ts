import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { rateLimited } from '../../errors.ts'

export interface RateLimitOptions {
  readonly max: number
  readonly windowMs: number
  /** The bucket a request counts against: its principal when authenticated, else its IP. */
  readonly keyFor: (request: FastifyRequest) => string | Promise<string>
}

export default fp<RateLimitOptions>(async function rateLimit (app, opts) {
  await app.register(fastifyRateLimit, {
    global: true,
    max: opts.max,
    timeWindow: opts.windowMs,
    hook: 'onRequest',
    keyGenerator: opts.keyFor,
    errorResponseBuilder: (_request, context) => rateLimited(Math.max(1, Math.ceil(context.ttl / 1000)))
  })
}, { name: 'rate-limit' })
