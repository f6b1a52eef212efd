import fp from 'fastify-plugin'
import { badRequest, expectationFailed } from '../../errors.ts'

/**
 * What Node would otherwise refuse on its own, with a bare answer that skips every cpxd hook: an
 * `Expect` it cannot meet (417) and HTTP/1.1 without `Host` (400). Node is told to let both
 * through (`requireHostHeader: false`, a `checkExpectation` listener), and they are refused here,
 * before the body is read but after the rate limit, so they count against the client's bucket,
 * carry the security headers and get their audit line.
 */
export default fp(async function requestChecks (app) {
  app.server.on('checkExpectation', function passExpectationOn (request, response) {
    app.server.emit('request', request, response)
  })
  app.addHook('preParsing', function refuseUnservable (request, _reply, payload, done) {
    const expect = request.headers.expect
    if (expect !== undefined && expect.toLowerCase() !== '100-continue') return done(expectationFailed())
    const { httpVersionMajor, httpVersionMinor } = request.raw
    if (request.headers.host === undefined && httpVersionMajor === 1 && httpVersionMinor >= 1) {
      return done(badRequest('an HTTP/1.1 request must carry a Host header', 'missing_host'))
    }
    done(null, payload)
  })
}, { name: 'request-checks' })
