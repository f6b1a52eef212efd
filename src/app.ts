import Fastify, { type FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { AuditLog } from './audit/audit-logger.ts'
import type { CpxdConfig } from './config/schema.ts'
import type { Secrets } from './config/secrets.ts'
import { notFound } from './errors.ts'
import { errorHandler } from './http/error-handler.ts'
import { serverOptions } from './http/server-options.ts'
import { jsonSerializerCompiler, zodValidatorCompiler } from './http/validation.ts'
import audit from './plugins/app/audit.ts'
import authentication from './plugins/app/authentication.ts'
import configReload from './plugins/app/config-reload.ts'
import bodyLimit from './plugins/app/body-limit.ts'
import cpxVersion from './plugins/app/cpx-version.ts'
import draining from './plugins/app/draining.ts'
import evidenceLinks from './plugins/app/evidence-links.ts'
import handlerDeadline from './plugins/app/handler-deadline.ts'
import httpRedirect from './plugins/app/http-redirect.ts'
import inFlightLimit from './plugins/app/in-flight-limit.ts'
import metrics from './plugins/app/metrics.ts'
import pipelinedAnswers from './plugins/app/pipelined-answers.ts'
import posture from './plugins/app/posture.ts'
import requestChecks from './plugins/app/request-checks.ts'
import connectionLimit from './plugins/app/connection-limit.ts'
import requestId from './plugins/app/request-id.ts'
import signing from './plugins/app/signing.ts'
import tenantAuthorization from './plugins/app/tenant-authorization.ts'
import tlsReload from './plugins/app/tls-reload.ts'
import cors from './plugins/external/cors.ts'
import helmet from './plugins/external/helmet.ts'
import openapi from './plugins/external/openapi.ts'
import rateLimit from './plugins/external/rate-limit.ts'
import underPressure from './plugins/external/under-pressure.ts'
import cpxMetricsRoute from './routes/cpx-metrics.ts'
import badgeRoute from './routes/badge.ts'
import cpxRoute from './routes/cpx.ts'
import cpxTenantRoute from './routes/cpx-tenant.ts'
import { publishRoutes } from './routes/cpx-publish.ts'
import cpxVersionsRoute from './routes/cpx-versions.ts'
import evidenceRoute from './routes/evidence.ts'
import healthRoutes from './routes/health.ts'
import malformedUrlRoute from './routes/malformed-url.ts'
import openapiRoute from './routes/openapi.ts'
import methodNotAllowedRoutes from './routes/method-not-allowed.ts'
import wellKnownRoutes from './routes/well-known.ts'
import trustRoutes from './routes/trust.ts'

export interface AppDependencies {
  /** The server's is chained (openAuditLog); tests may pass a plain one. */
  readonly auditLog: AuditLog
  /** Every secret the config names, read once with it (config/secrets.ts). */
  readonly secrets: Secrets
  /** The config file, for naming it when a key it names cannot be used. */
  readonly configFile: string
  /** Where the config's `*_env` secrets are read again at a reload; none by default. */
  readonly env?: NodeJS.ProcessEnv
}

/**
 * The request path, in the order DESIGN.md gives: request id, audit hook, helmet headers, CORS
 * allowlist, rate limit, authentication, tenant authorization, route. Registration only: each
 * plugin builds what it needs from its slice of the config. Posture is loaded by the caller
 * (`app.loadPosture()`), so an app is built without touching the posture folder.
 */
export async function buildApp (config: CpxdConfig, deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify(serverOptions(config, deps.secrets.tls)).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(zodValidatorCompiler)
  app.setSerializerCompiler(jsonSerializerCompiler)
  app.setErrorHandler(errorHandler)

  await app.register(configReload, { config, configFile: deps.configFile, env: deps.env ?? {} })
  await app.register(connectionLimit, { maxConnections: config.server.max_connections })
  await app.register(requestId)
  await app.register(cpxVersion)
  await app.register(tlsReload)
  await app.register(pipelinedAnswers)
  // Before the audit log, whose onSend waits for its write: the deadline ends once the answer starts.
  await app.register(handlerDeadline, { deadlineMs: config.server.handler_timeout })
  await app.register(audit, { log: deps.auditLog, failClosed: config.audit.fail_closed })
  await app.register(helmet)
  await app.register(httpRedirect, { server: config.server })
  await app.register(draining)
  // Overload is checked before anything costs: authentication, the rate limiter's buckets.
  await app.register(underPressure, { limits: config.overload })
  // Authentication adds no hook here, only `identify`, which the rate limiter asks for its bucket;
  // routes run the check itself (preParsing), after the rate limit.
  await app.register(authentication, { auth: config.auth, jwtKeys: deps.secrets.jwtKeys, configFile: deps.configFile })
  // The per-address limit runs before CORS, so preflights count; the per-caller limit runs at
  // each route, after CORS has added its headers, so a browser can read its 429.
  await app.register(rateLimit, { limits: config.rate_limit, redisUrl: deps.secrets.rateLimitRedisUrl })
  await app.register(cors, { origins: config.cors.origins, maxAgeMs: config.cors.max_age })
  await app.register(bodyLimit, { maxBytes: config.server.body_limit })
  await app.register(requestChecks)
  await app.register(inFlightLimit, { maxInFlight: config.rate_limit.max_in_flight })
  await app.register(posture, { posture_dir: config.posture_dir, posture: config.posture, evidence: config.evidence, storeUrl: deps.secrets.postureStoreUrl, configFile: deps.configFile })
  await app.register(evidenceLinks, { server: config.server, linkLifetimeMs: config.evidence.link_lifetime, gatewayKey: deps.secrets.gatewayKey })
  await app.register(signing, { signing: config.signing, server: config.server, secrets: deps.secrets.signing, configFile: deps.configFile })
  await app.register(metrics)

  await app.register(openapi)
  await registerRoutes(app, config, deps)
  return app
}

/** Every route, each in its own plugin; tenant routes in a scope that authenticates first. */
async function registerRoutes (app: FastifyInstance, config: CpxdConfig, deps: AppDependencies): Promise<void> {
  await app.register(healthRoutes)
  await app.register(openapiRoute)
  await app.register(wellKnownRoutes)
  if (config.trust_page.enabled) await app.register(trustRoutes, { page: config.trust_page, configFile: deps.configFile })
  await app.register(malformedUrlRoute)
  await app.register(methodNotAllowedRoutes)
  await app.register(evidenceRoute)
  await app.register(cpxMetricsRoute)
  await app.register(badgeRoute)
  await app.register(cpxRoute, { publicMaxAgeSeconds: Math.floor(config.public.max_age / 1000) })
  const publish = publishRoutes()
  await app.register(publish.vendor, { maxBytes: config.posture.publish_max_bytes })
  await app.register(async function tenantScope (scope) {
    scope.addHook('preParsing', scope.requireCredentials)
    await scope.register(publish.tenant, { maxBytes: config.posture.publish_max_bytes })
    await scope.register(tenantAuthorization)
    await scope.register(cpxTenantRoute)
    await scope.register(cpxVersionsRoute)
  })
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, async function unknownRoute () {
    throw notFound()
  })
}
