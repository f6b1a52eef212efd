import fp from 'fastify-plugin'
import { bodyTooLarge } from '../../errors.ts'

export interface BodyLimitOptions {
  readonly maxBytes: number
}

/**
 * Fastify enforces `bodyLimit` only where it parses a body, and it parses none for GET and HEAD,
 * cpxd's every route: Node would then read and discard a body of any size after the answer. A
 * declared oversize body is refused before a byte of it is read. A body of undeclared length
 * (chunked) is counted as it arrives: past the limit cpxd stops reading, answers with
 * `Connection: close`, and cuts the connection once the answer is out, so the rest is never read.
 */
export default fp<BodyLimitOptions>(async function bodyLimit (app, opts) {
  app.addHook('onRequest', function refuseOversizeBody (request, reply, done) {
    const declared = request.headers['content-length']
    // A route that takes a body (POST /cpx) says how large; Fastify counts a chunked one against it.
    const limit = request.routeOptions.config.maxBodyBytes ?? opts.maxBytes
    if (declared !== undefined && Number(declared) > limit) {
      done(bodyTooLarge())
      return
    }
    if (request.headers['transfer-encoding'] !== undefined && (request.method === 'GET' || request.method === 'HEAD')) {
      reply.header('connection', 'close')
      const body = request.raw
      let seen = 0
      body.on('data', (chunk: Buffer) => {
        seen += chunk.length
        // Stop reading (the client's sends back up); the answer still goes out, then the socket closes.
        if (seen > opts.maxBytes) body.pause()
      })
      // With `Connection: close`, Node ends the socket once the answer is out.
    }
    done()
  })
}, { name: 'body-limit' })

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The largest body this route takes; the server's `body_limit` otherwise. */
    maxBodyBytes?: number
  }
}
