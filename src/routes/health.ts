import type { FastifyInstance } from 'fastify'
import { unavailable } from '../errors.ts'
import type { PostureStore } from '../posture/store.ts'

export interface HealthRouteOptions {
  readonly store: PostureStore
}

/** Probes for orchestrators: not rate limited (a probe storm is not an attack), still audited. */
export default async function healthRoutes (app: FastifyInstance, opts: HealthRouteOptions) {
  const config = { audit: 'health', rateLimit: false } as const

  app.get('/healthz', { config }, async function alive (_request, reply) {
    return reply.header('cache-control', 'no-store').send({ status: 'ok' })
  })

  app.get('/readyz', { config }, async function ready (_request, reply) {
    if (!opts.store.ready) throw unavailable(5, 'posture_not_loaded', 'posture is not loaded yet, retry later')
    return reply.header('cache-control', 'no-store').send({ status: 'ready', posture_version: opts.store.version })
  })
}
