import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** One year, the HSTS preload list's minimum. */
const HSTS_MAX_AGE = 31_536_000

/**
 * cpxd serves data, never pages to render, so the CSP allows nothing at all and no one may
 * frame it. The policy is static: no nonces, nothing per route. Helmet's headers that only
 * matter to HTML documents are off (the OWASP REST Security Cheat Sheet's set is CSP, HSTS,
 * nosniff, X-Frame-Options, Referrer-Policy and Cache-Control); each costs bytes and time on
 * every answer and protects nothing in a JSON API.
 */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  global: true,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] }
  },
  frameguard: { action: 'deny' },
  hsts: { maxAge: HSTS_MAX_AGE, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
  // A trust-center page on another origin reads /cpx with CORS, which CORP does not block.
  crossOriginResourcePolicy: { policy: 'same-site' },
  hidePoweredBy: true
}

/**
 * Asks @fastify/helmet for its headers once, on a throwaway instance. @fastify/helmet rebuilds
 * every helmet middleware on each request (the policy is parsed again every time); with a
 * static policy that cost bought nothing, and it was measured at about 6% of a /cpx request
 * (docs/performance.md). The headers are still exactly the ones @fastify/helmet sets.
 */
export async function computeHelmetHeaders (options: FastifyHelmetOptions = HELMET_OPTIONS): Promise<Readonly<Record<string, string>>> {
  const probe: FastifyInstance = Fastify({ logger: false })
  await probe.register(fastifyHelmet, options)
  probe.get('/', async () => '')
  const response = await probe.inject('/')
  await probe.close()
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.headers)) {
    if (BASELINE_HEADERS.has(name) || value === undefined) continue
    headers[name] = String(value)
  }
  return Object.freeze(headers)
}

/** Headers Fastify itself sets on the probe's answer, which are not helmet's to add. */
const BASELINE_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive'])

/** The security headers of an answer over HTTPS, and of one over plain HTTP (no HSTS). */
export interface SecurityHeaders {
  readonly https: Readonly<Record<string, string>>
  readonly plain: Readonly<Record<string, string>>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The headers every answer carries, for the answers Node sends before Fastify sees a request. */
    securityHeaders: SecurityHeaders
  }
}

/**
 * Every response, errors included, gets the headers in an onRequest hook, before anything can
 * fail. HSTS only over HTTPS (in the process, or from a trusted proxy's X-Forwarded-Proto): RFC
 * 6797 has browsers ignore it over plain HTTP, and a development server on http://localhost
 * should not teach a browser to insist on HTTPS for that host.
 */
export default fp(async function helmet (app) {
  const https = await computeHelmetHeaders()
  const { 'strict-transport-security': _hsts, ...plain } = https
  const headers: SecurityHeaders = { https, plain: Object.freeze(plain) }
  app.decorate('securityHeaders', headers)
  app.addHook('onRequest', function applySecurityHeaders (request, reply, done) {
    reply.headers(request.protocol === 'https' ? headers.https : headers.plain)
    done()
  })
}, { name: 'helmet' })
