import type { FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { unavailable } from '../../errors.ts'
import { DeadlineSweep, type DeadlineEntry } from '../../http/deadline-sweep.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Where the request waits for its deadline until it is answered. */
    deadlineEntry: DeadlineEntry<FastifyReply> | null
  }
}

export interface HandlerDeadlineOptions {
  /** `server.handler_timeout`: how long an answer may take to start. */
  readonly deadlineMs: number
}

/**
 * A request whose answer has not started `server.handler_timeout` after it arrived gets 503
 * `handler_timeout`, through the error handler and every hook, like any refusal. The deadline is for
 * the answer to start: once it has, a download goes on for as long as the client takes to read it
 * (the socket's own timeouts still apply). Fastify's `handlerTimeout` is not used because it ends
 * only when the response does, so it cut off evidence downloads slower than the deadline.
 */
export default fp<HandlerDeadlineOptions>(async function handlerDeadline (app, opts) {
  app.decorateRequest('deadlineEntry', null)
  const sweep = new DeadlineSweep<FastifyReply>(opts.deadlineMs, answerLate)
  const timer = setInterval(() => { sweep.tick() }, sweep.tickMs)
  timer.unref()
  app.addHook('onClose', function stopDeadlines (_app, done) {
    clearInterval(timer)
    done()
  })
  app.addHook('onRequest', function startDeadline (request, reply, done) {
    request.deadlineEntry = sweep.add(reply)
    done()
  })
  // An answer that has started is no longer waited on.
  app.addHook('onSend', function endDeadline (request, reply, payload, done) {
    if (request.deadlineEntry !== null) sweep.remove(request.deadlineEntry)
    request.deadlineEntry = null
    done(null, payload)
  })
}, { name: 'handler-deadline' })

function answerLate (reply: FastifyReply): void {
  reply.request.deadlineEntry = null
  if (reply.sent || reply.raw.headersSent) return
  // Answered even when the client has left: the answer is how the request gets its audit line.
  reply.send(unavailable(1, 'handler_timeout'))
}
