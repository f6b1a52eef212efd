import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthResult, Authenticator } from '../../auth/authenticator.ts'
import { principalLabel, type Principal } from '../../auth/principal.ts'
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
    /** Hook: anonymous is fine, but a credential that is sent must be valid. */
    acceptAnonymous: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

export interface AuthenticationOptions {
  readonly authenticator: Authenticator
  /** Retry-After when no key can be had to check a JWT. */
  readonly unavailableRetrySeconds?: number
}

export default fp<AuthenticationOptions>(async function authentication (app, opts) {
  app.decorateRequest('principal', null)
  app.decorateRequest('authResult', null)
  app.decorateRequest('authPending', null)
  const retrySeconds = opts.unavailableRetrySeconds ?? 5

  function identify (request: FastifyRequest): Promise<AuthResult> {
    request.authPending ??= opts.authenticator.authenticate(request.headers).then((result) => {
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
}, { name: 'authentication' })

/** Rate-limit bucket: the principal when its credential is valid, else the client address. */
export async function rateLimitKey (request: FastifyRequest): Promise<string> {
  const result = await request.server.identify(request)
  if (!result.ok || result.principal.kind === 'anonymous') return `ip:${request.ip}`
  return `principal:${principalLabel(result.principal)}`
}
