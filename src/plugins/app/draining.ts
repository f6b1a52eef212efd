import fp from 'fastify-plugin'
import { unavailable } from '../../errors.ts'
import { isProbe } from '../../http/probe.ts'

/**
 * Once the server is closing (SIGTERM), a request that still arrives on an open keep-alive
 * connection is told to go elsewhere: 503 with `Connection: close`, through cpxd's hooks, so it has
 * its request id, security headers and audit line. Fastify's own answer to it
 * (`return503OnClosing`) is written before any hook runs, so it is turned off
 * (http/server-options.ts). Probes are answered as usual.
 */
export default fp(async function draining (app) {
  let closing = false
  app.addHook('preClose', async function startDraining () { closing = true })
  app.addHook('onRequest', function refuseWhileClosing (request, reply, done) {
    if (!closing || isProbe(request)) return done()
    reply.header('connection', 'close')
    done(unavailable(1, 'shutting_down', 'the server is shutting down, retry'))
  })
}, { name: 'draining' })
