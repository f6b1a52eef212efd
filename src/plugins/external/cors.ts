import fastifyCors from '@fastify/cors'
import fp from 'fastify-plugin'

export interface CorsOptions {
  /** Exact origins; anything else gets no Access-Control-Allow-Origin. */
  readonly origins: readonly string[]
  readonly maxAgeMs: number
}

export default fp<CorsOptions>(async function cors (app, opts) {
  const allowed = new Set(opts.origins)
  await app.register(fastifyCors, {
    // An exact Set lookup: no regex, no prefix match, so `https://trust.example.com.evil.io` fails.
    origin: (origin, callback) => { callback(null, origin !== undefined && allowed.has(origin)) },
    methods: ['GET', 'HEAD', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'X-API-Key'],
    exposedHeaders: ['ETag', 'Retry-After', 'X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
    credentials: false,
    maxAge: Math.floor(opts.maxAgeMs / 1000),
    strictPreflight: true
  })
}, { name: 'cors' })
