import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { unavailable } from '../errors.ts'
import { commonErrorResponses } from '../http/error-schema.ts'

/** Probes for orchestrators: not rate limited (a probe storm is not an attack), still audited. */
const healthRoutes: FastifyPluginAsyncZod = async function healthRoutes (app) {
  const config = { audit: 'health', rateLimit: false } as const

  app.get('/healthz', {
    schema: { response: { 200: z.object({ status: z.literal('ok') }), ...commonErrorResponses } },
    config
  }, async function alive (_request, reply) {
    return reply.header('cache-control', 'no-store').send({ status: 'ok' })
  })

  app.get('/readyz', {
    schema: {
      response: { 200: z.object({ status: z.literal('ready'), posture_version: z.number().int() }), ...commonErrorResponses }
    },
    config
  }, async function ready (_request, reply) {
    if (!app.posture.ready) throw unavailable(5, 'posture_not_loaded', 'posture is not loaded yet, retry later')
    return reply.header('cache-control', 'no-store').send({ status: 'ready', posture_version: app.posture.version })
  })
}

export default healthRoutes
