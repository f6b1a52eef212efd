import fastifyCors from '@fastify/cors'
import fp from 'fastify-plugin'

export interface CorsOptions {
  /** Exact origins; anything else gets no Access-Control-Allow-Origin. */
  readonly origins: readonly string[]
  readonly maxAgeMs: number
}

/** The allowlist is reloaded with the config; `max_age` waits for a restart. */
export default fp<CorsOptions>(async function cors (app, opts) {
  let allowed = new Set(opts.origins)
  app.onConfigReload('cors', ({ config }) => {
    const next = new Set(config.cors.origins)
    return () => { allowed = next }
  })
  await app.register(fastifyCors, {
    // An exact Set lookup: no regex, no prefix match, so `https://trust.example.com.evil.io` fails.
    origin: (origin, callback) => { callback(null, origin !== undefined && allowed.has(origin)) },
    methods: ['GET', 'HEAD', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'X-API-Key'],
    exposedHeaders: ['ETag', 'Retry-After', 'X-CPX-Version', 'X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Content-Digest', 'Signature-Input', 'Signature'],
    credentials: false,
    maxAge: Math.floor(opts.maxAgeMs / 1000),
    strictPreflight: true
  })
}, { name: 'cors', dependencies: ['config-reload'] })
