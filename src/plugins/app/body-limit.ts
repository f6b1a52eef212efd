import fp from 'fastify-plugin'
import { bodyTooLarge } from '../../errors.ts'

export interface BodyLimitOptions {
  readonly maxBytes: number
}

/**
 * Fastify enforces `bodyLimit` only where it parses a body; cpxd's GET routes parse none, and
 * would otherwise read and discard any size. This refuses a declared oversize body up front,
 * for every method, before a byte of it is read.
 */
export default fp<BodyLimitOptions>(async function bodyLimit (app, opts) {
  app.addHook('onRequest', function refuseOversizeBody (request, _reply, done) {
    const declared = request.headers['content-length']
    if (declared !== undefined && Number(declared) > opts.maxBytes) {
      done(bodyTooLarge())
      return
    }
    done()
  })
}, { name: 'body-limit' })
