import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { POSTURE_LOADING_RETRY_SECONDS } from '../errors.ts'
import { commonErrorResponses } from '../http/error-schema.ts'

const lastReloadSchema = z.object({
  ok: z.boolean(),
  at: z.string(),
  reason: z.string().optional(),
  needs_restart: z.array(z.string()).readonly().optional()
})

const readySchema = z.object({
  state: z.literal('ready'),
  posture_version: z.number().int(),
  /** Postures past their freshness limit, answered 503 (`_default` is the vendor's own). */
  stale_tenants: z.array(z.string()),
  /** Null until the config has been reloaded once. */
  last_reload: lastReloadSchema.nullable()
})

const loadingSchema = z.object({
  state: z.literal('loading'),
  hashed: z.number().int(),
  total: z.number().int()
})

/**
 * Probes for orchestrators: not rate limited (a probe storm is not an attack), still audited.
 * `/healthz` is the process being alive, and costs next to nothing; `/readyz` is posture being
 * served (503 with progress while the first version loads), and says how the last reload went.
 */
const healthRoutes: FastifyPluginAsyncZod = async function healthRoutes (app) {
  const config = { audit: 'health', rateLimit: false } as const

  app.get('/healthz', {
    schema: { response: { 200: z.object({ status: z.literal('ok') }), ...commonErrorResponses } },
    config
  }, async function alive (_request, reply) {
    return reply.header('cache-control', 'no-store').send({ status: 'ok' })
  })

  app.get('/readyz', {
    schema: { response: { 200: readySchema, ...commonErrorResponses, 503: z.union([loadingSchema, commonErrorResponses[503]]) } },
    config
  }, async function ready (_request, reply) {
    reply.header('cache-control', 'no-store')
    if (!app.posture.ready) {
      const { hashed, total } = app.posture.progress
      return reply.code(503).header('retry-after', String(POSTURE_LOADING_RETRY_SECONDS)).send({ state: 'loading', hashed, total })
    }
    return reply.send({ state: 'ready', posture_version: app.posture.version, stale_tenants: app.posture.current?.staleTenants() ?? [], last_reload: app.lastReload() ?? null })
  })
}

export default healthRoutes
