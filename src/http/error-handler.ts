import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import {
  badRequest, bodyTooLarge, CpxdError, errorBody, internal, unsupportedMediaType
} from '../errors.ts'

/** Maps anything thrown to a CpxdError; the wording of library errors never reaches a client. */
export function toCpxdError (err: unknown): CpxdError {
  if (err instanceof CpxdError) return err
  const { code, statusCode } = (err ?? {}) as Partial<FastifyError>
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return bodyTooLarge()
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return unsupportedMediaType()
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return badRequest('the request is malformed')
  return internal()
}

export function errorHandler (err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const error = toCpxdError(err)
  // A 503 cpxd chose (overload, posture not ready or stale) is on the audit line already, and
  // logging each one with its stack would cost most under load; a failure is logged.
  if (error.statusCode >= 500 && !(err instanceof CpxdError && error.statusCode === 503)) {
    // The application log gets the cause; the client gets a code and the request id to quote.
    request.log.error({ err }, 'request failed')
  }
  request.auditReason ??= error.reason ?? null
  void reply
    .code(error.statusCode)
    .headers(error.headers)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(errorBody(error, request.id))
}
