import fastifyHelmet from '@fastify/helmet'
import fp from 'fastify-plugin'

/** One year, the HSTS preload list's minimum. */
const HSTS_MAX_AGE = 31_536_000

/**
 * cpxd serves data, never pages to render, so the CSP allows nothing at all and no one may
 * frame it. Helmet's hook runs on every request, so errors (4xx, 5xx) carry the headers too.
 */
export default fp(async function helmet (app) {
  await app.register(fastifyHelmet, {
    global: true,
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
  })
}, { name: 'helmet' })
