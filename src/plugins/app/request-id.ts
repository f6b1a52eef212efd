import fp from 'fastify-plugin'

/**
 * cpxd makes its own request ids (`genReqId` in http/server-options.ts) and ignores any the
 * client sends, so an id in the audit log always names one request. Clients get it back in
 * `X-Request-Id` and in every error body.
 */
export default fp(async function requestId (app) {
  app.addHook('onRequest', function setRequestIdHeader (request, reply, done) {
    reply.header('x-request-id', request.id)
    done()
  })
}, { name: 'request-id' })
