import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { AuditLog } from './audit/audit-logger.ts'
import { Authenticator } from './auth/authenticator.ts'
import { createJwtVerifier, type JwtSetup } from './auth/jwt/create-jwt-verifier.ts'
import type { CpxdConfig } from './config/schema.ts'
import { notFound } from './errors.ts'
import { EvidenceLinks } from './evidence/gateway-links.ts'
import { GatewaySigner } from './evidence/gateway-signer.ts'
import { loadGatewayKey } from './evidence/gateway-key.ts'
import { createClientErrorHandler } from './http/client-error.ts'
import { errorHandler } from './http/error-handler.ts'
import { jsonSerializerCompiler, zodValidatorCompiler } from './http/validation.ts'
import audit from './plugins/app/audit.ts'
import authentication, { rateLimitKey } from './plugins/app/authentication.ts'
import bodyLimit from './plugins/app/body-limit.ts'
import evidenceLinks from './plugins/app/evidence-links.ts'
import requestId, { generateRequestId } from './plugins/app/request-id.ts'
import tenantAuthorization from './plugins/app/tenant-authorization.ts'
import cors from './plugins/external/cors.ts'
import helmet from './plugins/external/helmet.ts'
import rateLimit from './plugins/external/rate-limit.ts'
import type { PostureStore } from './posture/store.ts'
import cpxRoute from './routes/cpx.ts'
import cpxTenantRoute from './routes/cpx-tenant.ts'
import evidenceRoute from './routes/evidence.ts'
import healthRoutes from './routes/health.ts'

export interface AppDependencies {
  readonly store: PostureStore
  /** The server's is chained (openAuditLog); tests may pass a plain one. */
  readonly auditLog: AuditLog
  /** Where JWT shared secrets named by `secret_env` are read from. */
  readonly env?: NodeJS.ProcessEnv
  /** The config file, for naming it in key-loading errors. */
  readonly configFile?: string
}

/**
 * The request path, in the order DESIGN.md gives: request id, audit hook, helmet headers, CORS
 * allowlist, rate limit, authentication, tenant authorization, route.
 */
export async function buildApp (config: CpxdConfig, deps: AppDependencies): Promise<FastifyInstance> {
  const { auditLog } = deps
  const { server } = config
  const app = Fastify({
    logger: { level: config.log.level, stream: process.stderr },
    // The audit log records every access; the application log keeps to lifecycle and faults.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: generateRequestId,
    requestIdHeader: false,
    trustProxy: trustProxyOption(server.trust_proxy),
    bodyLimit: server.body_limit,
    http: {
      maxHeaderSize: server.max_header_size,
      headersTimeout: server.headers_timeout,
      // Node checks the two timeouts above only this often (30 s by default), which would let a
      // slow client hold a socket for half a minute past its deadline.
      connectionsCheckingInterval: 1000
    },
    requestTimeout: server.request_timeout,
    keepAliveTimeout: server.keep_alive_timeout,
    connectionTimeout: server.request_timeout * 2,
    handlerTimeout: server.handler_timeout,
    // Long enough that an over-long tenant id reaches validation and gets a 400, not a 404.
    routerOptions: { maxParamLength: 512 },
    clientErrorHandler: createClientErrorHandler(auditLog),
    return503OnClosing: true
  })
  app.setValidatorCompiler(zodValidatorCompiler)
  app.setSerializerCompiler(jsonSerializerCompiler)
  app.setErrorHandler(errorHandler)
  app.addHook('onClose', async () => { auditLog.close() })

  await app.register(requestId)
  await app.register(audit, { log: auditLog, failClosed: config.audit.fail_closed })
  await app.register(helmet)
  await app.register(cors, { origins: config.cors.origins, maxAgeMs: config.cors.max_age })
  await app.register(rateLimit, { max: config.rate_limit.max, windowMs: config.rate_limit.window, keyFor: rateLimitKey })
  await app.register(bodyLimit, { maxBytes: server.body_limit })
  const jwt = setUpJwt(app, config, deps)
  await app.register(authentication, {
    authenticator: new Authenticator(config.auth.api_keys, jwt?.verifier),
    unavailableRetrySeconds: jwtRetrySeconds(config)
  })

  const signer = new GatewaySigner(loadGatewayKey(config, deps.env ?? {}, deps.configFile ?? 'config'))
  const links = new EvidenceLinks(signer, () => publicUrl(app, config), config.evidence.link_lifetime, (tenant, id) => deps.store.evidenceItem(tenant, id))
  await app.register(evidenceLinks, { signer, links })

  await app.register(healthRoutes, { store: deps.store })
  await app.register(evidenceRoute, { store: deps.store })
  await app.register(cpxRoute, { store: deps.store, publicMaxAgeSeconds: Math.floor(config.public.max_age / 1000) })
  await app.register(async function tenantScope (scope) {
    scope.addHook('preParsing', scope.requireCredentials)
    await scope.register(tenantAuthorization)
    await scope.register(cpxTenantRoute, { store: deps.store })
  })

  app.setNotFoundHandler({ preHandler: app.rateLimit() }, async function unknownRoute () {
    throw notFound()
  })
  return app
}

/** A hop count trusts that many proxies nearest to cpxd; a list trusts those addresses. */
function trustProxyOption (setting: CpxdConfig['server']['trust_proxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting
  return setting
}

function setUpJwt (app: FastifyInstance, config: CpxdConfig, deps: AppDependencies): JwtSetup | undefined {
  if (config.auth.jwt === undefined) return undefined
  const setup = createJwtVerifier(config.auth.jwt, {
    env: deps.env ?? {},
    configFile: deps.configFile ?? 'config',
    onRefreshError: (issuer, reason) => { app.log.warn({ issuer, reason }, 'JWKS refresh failed; the last keys stay in use') }
  })
  for (const issuer of setup.developmentIssuers) {
    app.log.warn({ issuer }, 'JWTs are verified with development keys from `cpxd token dev-keys`; never do this in production')
  }
  return setup
}

/** A client refused for want of JWT keys may retry once the next JWKS fetch is allowed. */
function jwtRetrySeconds (config: CpxdConfig): number {
  const cooldowns = (config.auth.jwt ?? []).map((entry) => entry.jwks_cooldown)
  return cooldowns.length === 0 ? 5 : Math.max(1, Math.ceil(Math.min(...cooldowns) / 1000))
}

/**
 * Where clients reach cpxd, for the links it hands out: `server.public_url`, else the address
 * actually listened on. Never the request's Host header, which the client chooses.
 */
function publicUrl (app: FastifyInstance, config: CpxdConfig): string {
  if (config.server.public_url !== undefined) return config.server.public_url
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.server.port
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host
  return `http://${host}:${port}`
}
