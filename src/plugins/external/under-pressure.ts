import { getHeapStatistics } from 'node:v8'
import fastifyUnderPressure from '@fastify/under-pressure'
import fp from 'fastify-plugin'
import type { CpxdConfig } from '../../config/schema.ts'
import { overloaded } from '../../errors.ts'
import { isProbe } from '../../http/probe.ts'

export interface UnderPressureOptions {
  readonly limits: CpxdConfig['overload']
}

/** The default heap limit: refuse new work before V8 runs out, not after. */
const HEAP_FRACTION = 0.9

/**
 * Sheds load when the process is past a limit (event-loop delay or utilization, heap, RSS): a new
 * request gets cpxd's 503 with Retry-After, and its audit line (reason `overloaded`), before any
 * credential is checked or answer built. Probes are answered whatever the pressure, so an
 * orchestrator does not kill a busy process or take every busy replica out of service at once.
 */
export default fp<UnderPressureOptions>(async function underPressure (app, opts) {
  const { limits } = opts
  const retryAfterSeconds = Math.ceil(limits.retry_after / 1000)
  await app.register(fastifyUnderPressure, {
    maxEventLoopDelay: limits.max_event_loop_delay,
    maxEventLoopUtilization: limits.max_event_loop_utilization,
    maxHeapUsedBytes: limits.max_heap_used_bytes ?? Math.floor(getHeapStatistics().heap_size_limit * HEAP_FRACTION),
    maxRssBytes: limits.max_rss_bytes,
    sampleInterval: limits.sample_interval,
    retryAfter: retryAfterSeconds,
    pressureHandler: (request) => isProbe(request) ? undefined : Promise.reject(overloaded(retryAfterSeconds))
  })
}, { name: 'under-pressure' })
