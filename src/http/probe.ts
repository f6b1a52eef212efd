import type { FastifyRequest } from 'fastify'

/**
 * The orchestrator's probes (/healthz, /readyz, routes/health.ts) are marked `rateLimit: false`.
 * They are answered whatever the load: never rate limited, shed, drained or counted in flight, so
 * a busy process is not taken for a dead one.
 */
export function isProbe (request: FastifyRequest): boolean {
  return request.routeOptions.config.rateLimit === false
}
