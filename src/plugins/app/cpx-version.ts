import fp from 'fastify-plugin'

/** The OpenCPX version cpxd speaks, which every upstream SDK's handler sends. */
export const CPX_VERSION = 'v1'

/** `/cpx`, `/cpx?…`, `/cpx/<anything>`: the spec's endpoint, as the client addressed it. */
export function isCpxPath (url: string): boolean {
  return url === '/cpx' || url.startsWith('/cpx?') || url.startsWith('/cpx/')
}

/**
 * `X-CPX-Version` on every answer at the spec's endpoint, errors included: set before any check
 * can refuse the request, and kept by the error handler.
 */
export default fp(async function cpxVersion (app) {
  app.addHook('onRequest', function announceCpxVersion (request, reply, done) {
    if (isCpxPath(request.url)) reply.header('x-cpx-version', CPX_VERSION)
    done()
  })
}, { name: 'cpx-version' })
