import fp from 'fastify-plugin'
import { principalLabel } from '../../domain/principal.ts'
import { rateLimited } from '../../errors.ts'
import { isProbe } from '../../http/probe.ts'

export interface InFlightLimitOptions {
  /** Requests one caller may have unanswered at once. */
  readonly maxInFlight: number
}

/**
 * The rate limit counts requests over a window; this counts those not yet answered. A principal
 * inside its rate limit could still open many expensive requests at once (large auditor answers)
 * and hold the event loop; each gets `max_in_flight` at a time, and more are a 429 until one is
 * answered. Runs once the caller is known, before the route's work.
 */
export default fp<InFlightLimitOptions>(async function inFlightLimit (app, opts) {
  const inFlight = new Map<string, number>()
  let maxInFlight = opts.maxInFlight
  app.onConfigReload('in-flight-limit', ({ config }) => () => { maxInFlight = config.rate_limit.max_in_flight })
  app.addHook('preHandler', function limitInFlight (request, reply, done) {
    const principal = request.principal
    // Anonymous answers are rendered ahead of time and cost next to nothing; many people behind one
    // address (an office, a proxy) read them at once, and the rate limit bounds them.
    if (principal === null || principal.kind === 'anonymous' || isProbe(request)) return done()
    const caller = principalLabel(principal)
    const count = inFlight.get(caller) ?? 0
    if (count >= maxInFlight) return done(rateLimited(1, 'too_many_in_flight'))
    inFlight.set(caller, count + 1)
    reply.raw.once('close', () => {
      const left = (inFlight.get(caller) ?? 1) - 1
      if (left === 0) inFlight.delete(caller)
      else inFlight.set(caller, left)
    })
    done()
  })
}, { name: 'in-flight-limit', dependencies: ['authentication', 'config-reload'] })
