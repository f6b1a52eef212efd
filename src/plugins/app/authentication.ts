import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthResult, Authenticator } from '../../auth/authenticator.ts'
import type { Principal } from '../../auth/principal.ts'
import { unauthenticated } from '../../errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the request is authenticated; null before, and for refused requests. */
    principal: Principal | null
    authResult: AuthResult | null
  }
  interface FastifyInstance {
    /** Authenticates at most once per request (the rate limiter asks first) and remembers it. */
    identify: (request: FastifyRequest) => AuthResult
    /** Hook: a valid credential is required. */
    requireCredentials: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** Hook: anonymous is fine, but a credential that is sent must be valid. */
    acceptAnonymous: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

export interface AuthenticationOptions {
  readonly authenticator: Authenticator
}

export default fp<AuthenticationOptions>(async function authentication (app, opts) {
  app.decorateRequest('principal', null)
  app.decorateRequest('authResult', null)

  function identify (request: FastifyRequest): AuthResult {
    request.authResult ??= opts.authenticator.authenticate(request.headers)
    return request.authResult
  }

  function check (request: FastifyRequest, anonymousAllowed: boolean): void {
    const result = identify(request)
    // The error's reason reaches the audit line through the error handler.
    if (!result.ok) throw unauthenticated(result.reason, result.presented)
    if (!anonymousAllowed && result.principal.kind === 'anonymous') throw unauthenticated('missing_credentials', false)
    request.principal = result.principal
  }

  app.decorate('identify', identify)
  app.decorate('requireCredentials', async function requireCredentials (request: FastifyRequest) {
    check(request, false)
  })
  app.decorate('acceptAnonymous', async function acceptAnonymous (request: FastifyRequest) {
    check(request, true)
  })
}, { name: 'authentication' })

/** Rate-limit bucket: the principal when its credential is valid, else the client address. */
export function rateLimitKey (request: FastifyRequest): string {
  const result = request.server.identify(request)
  if (result.ok && result.principal.kind !== 'anonymous') return `principal:${result.principal.kind}:${result.principal.id ?? ''}`
  return `ip:${request.ip}`
}
