import fp from 'fastify-plugin'
import { principalLabel } from '../../domain/principal.ts'
import { rateLimited } from '../../errors.ts'
import { addressBucket } from '../../http/address-bucket.ts'
import { clientAddress } from '../../http/client-address.ts'

export interface InFlightLimitOptions {
  /** Requests one caller may have unanswered at once. */
  readonly maxInFlight: number
}

/**
 * The rate limit counts requests over a window; this counts those not yet answered. A caller
 * inside its rate limit could still open many expensive requests at once (large auditor answers)
 * and hold the event loop; each caller gets `max_in_flight` at a time, and more are a 429 until
 * one is answered. Runs once the caller is known, before the route's work.
 */
export default fp<InFlightLimitOptions>(async function inFlightLimit (app, opts) {
  const inFlight = new Map<string, number>()
  app.addHook('preHandler', async function limitInFlight (request, reply) {
    if (request.routeOptions.config.rateLimit === false) return
    const principal = request.principal
    const caller = principal === null || principal.kind === 'anonymous' ? `ip:${addressBucket(clientAddress(request))}` : principalLabel(principal)
    const count = inFlight.get(caller) ?? 0
    if (count >= opts.maxInFlight) throw rateLimited(1, 'too_many_in_flight')
    inFlight.set(caller, count + 1)
    reply.raw.once('close', () => {
      const left = (inFlight.get(caller) ?? 1) - 1
      if (left === 0) inFlight.delete(caller)
      else inFlight.set(caller, left)
    })
  })
}, { name: 'in-flight-limit', dependencies: ['authentication'] })
