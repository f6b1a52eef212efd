import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { TIERS } from '../domain/tier.ts'
import { commonErrorResponses } from '../http/error-schema.ts'
import { CPX_VERSION } from '../plugins/app/cpx-version.ts'
import { ANSWER_FORMATS, PROFILES } from '../posture/formats.ts'
import { JWS_CONTENT_TYPE, JWS_TYPE } from '../signing/answer-signer.ts'
import { SIGNATURE_LABEL } from '../signing/message-signature.ts'
import { ALGORITHM_NAMES } from '../signing/signing-key.ts'

/** Public keys only: the schema names every member, so nothing else is ever serialized. */
const jwksSchema = z.object({
  keys: z.array(z.object({
    kty: z.string(),
    crv: z.string(),
    x: z.string(),
    y: z.string().optional(),
    kid: z.string(),
    alg: z.string(),
    use: z.literal('sig')
  }))
})

const discoverySchema = z.object({
  issuer: z.string(),
  opencpx_version: z.string(),
  posture_endpoint: z.string(),
  tenant_posture_endpoint: z.string(),
  metrics_endpoint: z.string(),
  openapi_uri: z.string(),
  jwks_uri: z.string(),
  formats_supported: z.array(z.string()),
  profiles_supported: z.array(z.string()),
  tiers_supported: z.array(z.string()),
  signing: z.object({
    http_message_signatures: z.object({
      label: z.string(),
      covered_components: z.array(z.string()),
      tenant_covered_components: z.array(z.string()),
      algorithm: z.string()
    }),
    jws: z.object({ media_type: z.string(), typ: z.string(), alg: z.string() })
  }).nullable()
})

/** Keys change at a rotation; a verifier that cached the old set re-fetches on an unknown kid. */
const CACHE_CONTROL = 'public, max-age=300'

/**
 * `GET /.well-known/jwks.json`, the public keys answers are signed with (the current one, then
 * the retired ones still published), and `GET /.well-known/opencpx`, where a client learns the
 * rest: endpoints, formats, profiles, tiers and how answers are signed.
 */
const wellKnownRoutes: FastifyPluginAsyncZod = async function wellKnownRoutes (app) {
  app.get('/.well-known/jwks.json', {
    schema: { summary: 'The public keys that sign posture answers (JWK Set)', response: { 200: jwksSchema, ...commonErrorResponses } },
    config: { audit: 'discovery' }
  }, async function publishKeys (_request, reply) {
    reply.header('cache-control', CACHE_CONTROL).type('application/jwk-set+json')
    return { keys: app.publishedKeys.map((key) => key.jwk as z.input<typeof jwksSchema>['keys'][number]) }
  })

  app.get('/.well-known/opencpx', {
    schema: { summary: 'Where this server\'s OpenCPX API is, and how its answers are signed', response: { 200: discoverySchema, ...commonErrorResponses } },
    config: { audit: 'discovery' }
  }, async function describeService (_request, reply) {
    const issuer = app.issuer()
    const signer = app.answerSigner
    reply.header('cache-control', CACHE_CONTROL)
    return {
      issuer,
      opencpx_version: CPX_VERSION,
      posture_endpoint: `${issuer}/cpx`,
      tenant_posture_endpoint: `${issuer}/cpx/{tenant}`,
      metrics_endpoint: `${issuer}/cpx/metrics`,
      openapi_uri: `${issuer}/openapi.json`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      formats_supported: signer === undefined ? ANSWER_FORMATS.filter((f) => f !== 'jws') : [...ANSWER_FORMATS],
      profiles_supported: [...PROFILES],
      tiers_supported: [...TIERS],
      signing: signer === undefined
        ? null
        : {
            http_message_signatures: {
              label: SIGNATURE_LABEL,
              covered_components: ['@status', 'content-type', 'content-digest'],
              tenant_covered_components: ['@status', 'content-type', 'content-digest', '@path;req'],
              algorithm: ALGORITHM_NAMES[signer.key.algorithm].http
            },
            jws: { media_type: JWS_CONTENT_TYPE, typ: JWS_TYPE, alg: ALGORITHM_NAMES[signer.key.algorithm].jws }
          }
    }
  })
}

export default wellKnownRoutes
