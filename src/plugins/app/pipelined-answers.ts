import type { IncomingMessage, ServerResponse } from 'node:http'
import fp from 'fastify-plugin'
import { trackAnswer } from '../../http/client-error.ts'

/**
 * Counts each connection's answers in flight, so that the answer to a request Node's parser could
 * not read waits for the answers to the requests pipelined before it (http/client-error.ts). It
 * listens on the server's own `request` event, which runs synchronously as each request is parsed.
 */
export default fp(async function pipelinedAnswers (app) {
  app.server.on('request', function countAnswer (request: IncomingMessage, response: ServerResponse) {
    trackAnswer(request.socket, response)
  })
}, { name: 'pipelined-answers' })
