import fastifySwagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import fp from 'fastify-plugin'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { ERROR_CODES } from '../../errors.ts'
import { MALFORMED_URL_PATH } from '../../http/malformed-url.ts'
import { evidenceContent, postureContent } from '../../http/openapi-documents.ts'

/** The version of cpxd's own API that the document describes. */
export const API_VERSION = '0.1.0'

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>
type RouteSchema = Record<string, unknown> & { response?: Record<string, Record<string, unknown>> }

type Security = Array<Record<string, string[]>>

const ANYONE: Security = [{}, { apiKey: [] }, { bearer: [] }]
const CREDENTIALS: Security = [{ apiKey: [] }, { bearer: [] }]

/** What each path is, who may call it, and with what: the parts no zod schema says. */
const ROUTES: Readonly<Record<string, { tag: string, security: Security, description: string }>> = {
  '/cpx': { tag: 'posture', security: ANYONE, description: 'The vendor\'s own posture. Anonymous callers get the public tier (framework summaries, public evidence; cacheable, with an ETag); an API key or JWT gets its tier: customer (controls, evidence without links) or auditor (everything, with evidence links made for this request).' },
  '/cpx/metrics': { tag: 'metrics', security: ANYONE, description: 'The spec\'s Prometheus metrics (opencpx_*) for the vendor\'s public posture: what /cpx shows anonymous callers, in the text exposition format.' },
  'POST /cpx': { tag: 'publishing', security: CREDENTIALS, description: 'Publishes a new version of the vendor\'s own posture (JSON or YAML, the format of posture files, at most posture.publish_max_bytes), for a publisher-tier principal granted every tenant. Checked exactly as a posture file is (400 names the path, reason and line), stored (into posture_dir, atomically, and whole in the history folder), and answered 202 before it is served. An Idempotency-Key makes a retry within a day get the first answer.' },
  'POST /cpx/{tenant}': { tag: 'publishing', security: CREDENTIALS, description: 'Publishes a new version of one customer\'s posture, for a publisher-tier principal granted that tenant; otherwise as POST /cpx.' },
  '/cpx/{tenant}/versions': { tag: 'publishing', security: CREDENTIALS, description: 'The published versions of one customer\'s posture the store keeps (posture.retention, the newest always), newest first, each with id, published_at, publisher, sha256 and compliance_posture; for auditors and operators granted the tenant. A version is read with GET /cpx/{tenant}?version=<id>, or the one in force at a time with ?at=<RFC 3339 time>.' },
  '/cpx/{tenant}': { tag: 'posture', security: CREDENTIALS, description: 'The posture shared with one customer, for principals granted that tenant, at their tier (public, customer or auditor). Never cached.' },
  '/evidence/{tenant}/{item}': { tag: 'evidence', security: [], description: 'Follows an evidence link from an answer: its signed grant (tenant, principal, tier and expiry, shared by every link of one answer) is the credential, for the items the answers of that tier link to now. Streams the file, or redirects to storage for a short-lived URL.' },
  '/healthz': { tag: 'health', security: [], description: 'Liveness: 200 while the process runs. Never rate limited or shed.' },
  '/readyz': { tag: 'health', security: [], description: 'Readiness: 200 once the first posture version is live, else 503 with loading progress; reports the last reload and stale postures.' },
  '/openapi.json': { tag: 'meta', security: [], description: 'This document.' },
  '/.well-known/jwks.json': { tag: 'meta', security: [], description: 'The public keys posture answers are signed with: the current key, then retired keys still published so that documents they signed keep verifying until they expire. Never a private member.' },
  '/.well-known/opencpx': { tag: 'meta', security: [], description: 'Discovery: the issuer, the posture, metrics and OpenAPI endpoints, the JWKS, the formats, profiles and tiers, and how answers are signed (RFC 9421 message signatures; a compact JWS with format=jws).' }
}

const STATUS_TEXT: Readonly<Record<string, string>> = {
  200: 'OK',
  202: 'Accepted: the version is stored, and served once loaded',
  302: 'Found: the evidence is downloaded from storage, on a URL that lives 5 minutes',
  304: 'Not Modified (If-None-Match matched the ETag)',
  ...Object.fromEntries(Object.entries(ERROR_CODES).map(([code, status]) => [status, `Error ${code} (docs/errors.md)`]))
}

/**
 * The route's zod schemas as JSON Schema (fastify-type-provider-zod), then what they cannot say:
 * the posture and evidence bodies, each status's meaning, the security schemes and the tiers.
 */
const describeRoute: Transform = (input) => {
  const { schema, url } = jsonSchemaTransform(input) as { schema: RouteSchema, url: string }
  if (url === MALFORMED_URL_PATH) return { schema: { ...schema, hide: true }, url }
  const path = url.replace(/:(\w+)/g, '{$1}')
  const routeMethod = (input as { route?: { method?: unknown } }).route?.method
  const method = typeof routeMethod === 'string' ? routeMethod : ''
  const route = ROUTES[`${method} ${path}`] ?? ROUTES[path]
  // The 405 answers of a path's other methods: tagged with the path, nothing else of it.
  const refusal = schema.response?.['405'] !== undefined
  const response: Record<string, Record<string, unknown>> = {}
  for (const [status, body] of Object.entries(schema.response ?? {})) {
    const description = STATUS_TEXT[status] ?? 'Response'
    if (status === '200' && route?.tag === 'posture') response[status] = { description, content: postureContent }
    else if (status === '200' && route?.tag === 'evidence') response[status] = { description, content: evidenceContent }
    else if (status === '200' && route?.tag === 'metrics') response[status] = { description, content: { 'text/plain': { schema: { type: 'string' } } } }
    else if (status === '302' || status === '304') response[status] = { description, type: 'null' }
    else response[status] = { ...body, description }
  }
  return {
    schema: {
      ...schema,
      response,
      ...(route === undefined ? {} : refusal ? { tags: [route.tag], security: [] } : { tags: [route.tag], security: route.security, description: route.description })
    },
    url
  }
}

/**
 * Collects every route's schema into an OpenAPI 3.1 document of cpxd's own API (`app.swagger()`,
 * served at /openapi.json, committed as docs/openapi.json). Registered before the routes.
 */
export default fp(async function openapi (app) {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'cpxd',
        version: API_VERSION,
        description: 'An OpenCPX compliance-posture server: the vendor\'s posture at /cpx, each customer\'s at /cpx/{tenant}, by tier (public, customer, auditor), with signed evidence links. Every error is {"error": {"code", "message", "request_id"}}.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' }
      },
      tags: [
        { name: 'posture', description: 'OpenCPX posture documents' },
        { name: 'publishing', description: 'New posture versions, from the vendor\'s pipeline' },
        { name: 'evidence', description: 'Evidence files behind signed links' },
        { name: 'metrics', description: 'The spec\'s Prometheus metrics' },
        { name: 'health', description: 'Probes for orchestrators' },
        { name: 'meta', description: 'This API' }
      ],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key from `cpxd keys new`; its config entry gives the tier and tenants.' },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT from a configured issuer (tier and tenants from its claims), or an API key as a bearer token.' }
        }
      }
    },
    transform: describeRoute,
    // Schemas with an id in zod's registry (the error body) become components, referenced by $ref.
    transformObject: jsonSchemaTransformObject
  })
}, { name: 'openapi' })
