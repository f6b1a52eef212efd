import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { badRequest } from '../errors.ts'
import { commonErrorResponses } from '../http/error-schema.ts'
import { MALFORMED_URL_PATH } from '../http/malformed-url.ts'

/** Every request whose URL did not decode lands here (http/malformed-url.ts), whatever its method. */
const malformedUrlRoute: FastifyPluginAsyncZod = async function malformedUrlRoute (app) {
  app.all(MALFORMED_URL_PATH, { schema: { response: commonErrorResponses } }, async function refuseMalformedUrl () {
    throw badRequest('the request URL is malformed', 'malformed_url')
  })
}

export default malformedUrlRoute
