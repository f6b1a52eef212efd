import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'
import { badRequest, expectationFailed, type CpxdError } from '../../errors.ts'
import { refuseConnect } from '../../http/client-error.ts'
import { hostHeaderProblem, type HostProblem } from '../../http/host-header.ts'
import { keepEveryHeaderLine } from '../../http/server-options.ts'

/**
 * What Node would otherwise refuse on its own, with a bare answer that skips every cpxd hook: an
 * `Expect` it cannot meet (417) and HTTP/1.1 without `Host` (400). Node is told to let both
 * through (`requireHostHeader: false`, a `checkExpectation` listener), and they are refused here,
 * before the body is read but after the rate limit, so they count against the client's bucket,
 * carry the security headers and get their audit line. So are the Host headers Node lets through
 * that RFC 9112 (3.2) says to refuse (two of them, or one that is no host and port), and request
 * lines of an HTTP version other than 1.x.
 *
 * A CONNECT request leaves Node's HTTP handling altogether (the `connect` event), and without a
 * listener Node would drop its connection without a word or an audit line; it gets cpxd's 405.
 */
export default fp(async function requestChecks (app) {
  keepEveryHeaderLine(app.server)
  app.server.on('checkExpectation', function passExpectationOn (request, response) {
    app.server.emit('request', request, response)
  })
  app.server.on('connect', function answerConnect (_request: IncomingMessage, socket: Socket) {
    refuseConnect(app, socket)
  })
  app.addHook('preParsing', function refuseUnservable (request, _reply, payload, done) {
    // Node's parser also takes HTTP/0.9 lines (no version) and `HTTP/2.0` as text, and would
    // answer them as HTTP/1.1; neither is a request cpxd should read as one.
    if (request.raw.httpVersionMajor !== 1) return done(badRequest('cpxd speaks HTTP/1.1 and HTTP/1.0', 'unsupported_http_version'))
    const expect = request.headers.expect
    if (expect !== undefined && expect.toLowerCase() !== '100-continue') return done(expectationFailed())
    const problem = hostHeaderProblem(request.raw)
    if (problem !== undefined) return done(hostRefusal(problem))
    done(null, payload)
  })
}, { name: 'request-checks' })

function hostRefusal (problem: HostProblem): CpxdError {
  switch (problem) {
    case 'missing': return badRequest('an HTTP/1.1 request must carry a Host header', 'missing_host')
    case 'duplicate': return badRequest('a request must carry one Host header', 'duplicate_host')
    case 'invalid': return badRequest('the Host header is not a host with an optional port', 'invalid_host')
  }
}
