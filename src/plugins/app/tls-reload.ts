import type { Server as HttpsServer } from 'node:https'
import fp from 'fastify-plugin'
import { tlsOptions } from '../../http/server-options.ts'

/**
 * On a reload, the certificate and key (read and tried together with the config's other secrets)
 * serve new handshakes; open connections keep theirs. A pair that cannot be used fails the whole
 * reload, so the old one stays, and the log says why.
 */
export default fp(async function tlsReload (app) {
  app.onConfigReload('tls', ({ config, secrets }) => {
    const pair = secrets.tls
    // Turning HTTPS on or off needs a restart (config/restart-only.ts).
    if (pair === undefined || !('setSecureContext' in app.server)) return () => {}
    return () => {
      (app.server as HttpsServer).setSecureContext(tlsOptions(pair))
      app.log.info({ cert_file: config.server.tls?.cert_file }, 'TLS certificate reloaded')
    }
  })
}, { name: 'tls-reload', dependencies: ['config-reload'] })
