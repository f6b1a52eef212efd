import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { DEMO_KEY_HASHES } from '../../auth/api-keys.ts'
import { Authenticator, type AuthResult } from '../../auth/authenticator.ts'
import { createJwtVerifier, type JwtSetup } from '../../auth/jwt/create-jwt-verifier.ts'
import type { JwtIssuerConfig } from '../../config/jwt-schema.ts'
import type { CpxdConfig } from '../../config/schema.ts'
import type { JwtKeyMaterial } from '../../config/secrets.ts'
import type { Principal } from '../../domain/principal.ts'
import { unauthenticated, unavailable } from '../../errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the request is authenticated; null before, and for refused requests. */
    principal: Principal | null
    /** The outcome of authentication once it is known (the audit line reads it). */
    authResult: AuthResult | null
    authPending: Promise<AuthResult> | null
  }
  interface FastifyInstance {
    /** Authenticates at most once per request (the rate limiter asks first) and remembers it. */
    identify: (request: FastifyRequest) => Promise<AuthResult>
    /** Hook: a valid credential is required. */
    requireCredentials: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** JWKS fetches since start, by outcome (the metrics read them). */
    jwksRefreshCounts: () => { readonly ok: number, readonly failed: number }
    /** Hook: anonymous is fine, but a credential that is sent must be valid. */
    acceptAnonymous: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

export interface AuthenticationOptions {
  readonly auth: CpxdConfig['auth']
  /** The key material of each `auth.jwt` entry, read with the config. */
  readonly jwtKeys: readonly JwtKeyMaterial[]
  /** The config file, for naming it when a key cannot be used. */
  readonly configFile: string
}

/**
 * Decorates the app with `identify` and the two authentication hooks; it adds no hook of its own,
 * so routes choose where authentication runs (before the body is parsed) and the rate limiter
 * asks first.
 */
export default fp<AuthenticationOptions>(async function authentication (app, opts) {
  app.decorateRequest('principal', null)
  app.decorateRequest('authResult', null)
  app.decorateRequest('authPending', null)
  const refreshes = { ok: 0, failed: 0 }
  app.decorate('jwksRefreshCounts', () => ({ ...refreshes }))
  let { authenticator, retrySeconds } = setUp(app, opts, refreshes)
  // A reload builds the new keys and issuers first; a request sees the old set or the new one.
  app.onConfigReload('authentication', ({ config, secrets, file }) => {
    const next = setUp(app, { auth: config.auth, jwtKeys: secrets.jwtKeys, configFile: file }, refreshes)
    return () => { ({ authenticator, retrySeconds } = next) }
  })

  function identify (request: FastifyRequest): Promise<AuthResult> {
    request.authPending ??= authenticator.authenticate(request.headers, request.raw.rawHeaders).then((result) => {
      request.authResult = result
      return result
    })
    return request.authPending
  }

  async function check (request: FastifyRequest, anonymousAllowed: boolean): Promise<void> {
    const result = await identify(request)
    // The error's reason reaches the audit line through the error handler.
    if (!result.ok) {
      if (result.unavailable === true) throw unavailable(retrySeconds, result.reason, 'credentials cannot be checked right now, retry later')
      throw unauthenticated(result.reason, result.presented)
    }
    if (!anonymousAllowed && result.principal.kind === 'anonymous') throw unauthenticated('missing_credentials', false)
    request.principal = result.principal
  }

  app.decorate('identify', identify)
  app.decorate('requireCredentials', async function requireCredentials (request: FastifyRequest) {
    await check(request, false)
  })
  app.decorate('acceptAnonymous', async function acceptAnonymous (request: FastifyRequest) {
    await check(request, true)
  })
}, { name: 'authentication', dependencies: ['config-reload'] })

function setUp (app: FastifyInstance, opts: AuthenticationOptions, refreshes: { ok: number, failed: number }): { authenticator: Authenticator, retrySeconds: number } {
  const authenticator = new Authenticator(opts.auth.api_keys, setUpJwt(app, opts, refreshes)?.verifier)
  for (const key of opts.auth.api_keys.filter((entry) => DEMO_KEY_HASHES.has(entry.hash))) {
    app.log.warn({ key_id: key.id }, 'an API key from the example config is accepted; its plaintext is published in README.md, so anyone can use it: never in production')
  }
  return { authenticator, retrySeconds: jwtRetrySeconds(opts.auth.jwt ?? []) }
}

function setUpJwt (app: FastifyInstance, opts: AuthenticationOptions, refreshes: { ok: number, failed: number }): JwtSetup | undefined {
  if (opts.auth.jwt === undefined) return undefined
  const setup = createJwtVerifier(opts.auth.jwt, opts.jwtKeys, {
    configFile: opts.configFile,
    onRefreshError: (issuer, reason) => {
      refreshes.failed += 1
      app.log.warn({ issuer, reason }, 'JWKS refresh failed; the last keys stay in use')
    },
    onRefreshed: () => { refreshes.ok += 1 }
  })
  for (const issuer of setup.developmentIssuers) {
    app.log.warn({ issuer }, 'JWTs are verified with development keys from `cpxd token dev-keys`; never do this in production')
  }
  return setup
}

/** A client refused for want of JWT keys may retry once the next JWKS fetch is allowed. */
function jwtRetrySeconds (issuers: readonly JwtIssuerConfig[]): number {
  const cooldowns = issuers.map((entry) => entry.jwks_cooldown)
  return cooldowns.length === 0 ? 5 : Math.max(1, Math.ceil(Math.min(...cooldowns) / 1000))
}
