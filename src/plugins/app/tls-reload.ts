import type { Server as HttpsServer } from 'node:https'
import fp from 'fastify-plugin'
import type { CpxdConfig } from '../../config/schema.ts'
import { readTlsPair } from '../../config/secrets.ts'
import { tlsOptions } from '../../http/server-options.ts'
import { StartupError } from '../../startup-error.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Reads the certificate and key again (SIGHUP) and serves new handshakes with them; open
     * connections keep theirs. A pair that cannot be used keeps the old one, and the log says why.
     */
    reloadTls: () => void
  }
}

export interface TlsReloadOptions {
  readonly tls: CpxdConfig['server']['tls']
  /** The config file, for naming it in errors. */
  readonly configFile: string
}

export default fp<TlsReloadOptions>(async function tlsReload (app, opts) {
  app.decorate('reloadTls', function reloadTls () {
    if (opts.tls === undefined) return
    try {
      const pair = readTlsPair(opts.tls, opts.configFile)
      if (pair === undefined) return
      ;(app.server as unknown as HttpsServer).setSecureContext(tlsOptions(pair))
      app.log.info({ cert_file: opts.tls.cert_file }, 'TLS certificate reloaded')
    } catch (err) {
      app.log.error({ reason: err instanceof StartupError ? err.message : 'unexpected error' }, 'TLS certificate reload failed; the previous certificate stays in use')
    }
  })
}, { name: 'tls-reload' })
