import type { FastifyPluginAsync } from 'fastify'

/** `GET /openapi.json`: the OpenAPI 3.1 document of cpxd's own API, built from the route schemas. */
const openapiRoute: FastifyPluginAsync = async function openapiRoute (app) {
  app.get('/openapi.json', {
    schema: { summary: 'This API, described in OpenAPI 3.1', tags: ['meta'] },
    config: { audit: 'openapi' }
  }, async function describeApi (_request, reply) {
    return reply.header('cache-control', 'public, max-age=3600').type('application/json; charset=utf-8').send(JSON.stringify(app.swagger()))
  })
}

export default openapiRoute
