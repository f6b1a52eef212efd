import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { forbidden, notFound, postureNotLoaded } from '../errors.ts'
import { authErrorResponses } from '../http/error-schema.ts'

/** The Prometheus text exposition format the spec names. */
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8'

/**
 * `GET /cpx/metrics`: the spec's Prometheus metrics for the vendor's public posture, what `/cpx`
 * shows anonymous callers and nothing more; for an `operator` principal, every tenant's and cpxd's
 * own. A static path, so it is never read as a tenant
 * (`metrics` cannot be one: domain/tenant-id.ts).
 */
const cpxMetricsRoute: FastifyPluginAsyncZod = async function cpxMetricsRoute (app) {
  app.get('/cpx/metrics', {
    schema: {
      summary: 'The spec\'s Prometheus metrics for the public posture',
      querystring: z.strictObject({}, { error: 'the metrics take no query parameters' }),
      response: { 200: z.string(), ...authErrorResponses }
    },
    config: { audit: 'metrics_read' },
    preParsing: app.acceptAnonymous
  }, async function readMetrics (request, reply) {
    const version = app.posture.current
    if (version === undefined) throw postureNotLoaded()
    reply.header('cache-control', 'no-store').type(PROMETHEUS_TEXT)
    // Operators watch everything: every tenant's spec metrics (label tenant) and cpxd's own.
    if (request.principal?.tier === 'publisher') throw forbidden('publisher_reads_no_posture')
    if (request.principal?.tier === 'operator') return reply.send(`${await version.allTenantMetrics()}\n${await app.cpxdMetrics.metrics()}`)
    const vendor = version.vendor()
    if (vendor === undefined) throw notFound('no posture is published here')
    return reply.send(await vendor.metrics('public'))
  })
}

export default cpxMetricsRoute
