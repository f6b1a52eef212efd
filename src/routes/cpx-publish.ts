import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { principalLabel, mayReadTenant } from '../domain/principal.ts'
import { DEFAULT_POSTURE } from '../domain/tenant-id.ts'
import { badRequest, conflict, forbidden, unauthenticated } from '../errors.ts'
import { authErrorResponses } from '../http/error-schema.ts'
import type { PostureStatus } from '../posture/document.ts'
import { validatePublished } from '../posture/file-publisher.ts'
import { IdempotencyConflict, type PublishOutcome } from '../posture/version-store.ts'
import { StartupError } from '../startup-error.ts'
import { tenantParamsSchema } from './cpx-tenant.ts'

/** What the spec's OpenAPI answers a publish with (`CPXResponse`). */
const acceptedSchema = z.object({
  id: z.string(),
  status: z.literal('accepted'),
  message: z.string(),
  received_at: z.string()
})
type Accepted = z.infer<typeof acceptedSchema>

/** Posture bodies are read as bytes: hashed as received, and checked with line numbers. */
const POSTURE_TYPES = ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml']

/** A retried publish within a day gets the first answer (the store remembers the key). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/

export interface PublishRouteOptions {
  readonly maxBytes: number
}

/**
 * `POST /cpx` (the vendor's own posture, for a publisher granted every tenant) and
 * `POST /cpx/<tenant>`: a publisher's new posture version, checked as a posture file is, stored,
 * and answered 202 before it is served (the posture is loaded again in the background).
 */
export function publishRoutes (): { vendor: FastifyPluginAsyncZod<PublishRouteOptions>, tenant: FastifyPluginAsyncZod<PublishRouteOptions> } {
  const vendor: FastifyPluginAsyncZod<PublishRouteOptions> = async function publishVendorRoute (app, opts) {
    acceptPostureBodies(app, opts.maxBytes)
    app.post('/cpx', {
      schema: { summary: 'Publish a new version of the vendor\'s own posture', response: { 202: acceptedSchema, ...authErrorResponses } },
      config: { audit: 'posture_publish', maxBodyBytes: opts.maxBytes },
      preParsing: [app.requireCredentials, mayPublish(DEFAULT_POSTURE)]
    }, async function publishVendor (request, reply) {
      return publish(app, request, reply, DEFAULT_POSTURE)
    })
  }
  const tenant: FastifyPluginAsyncZod<PublishRouteOptions> = async function publishTenantRoute (app, opts) {
    acceptPostureBodies(app, opts.maxBytes)
    app.post('/cpx/:tenant', {
      schema: { summary: 'Publish a new version of one customer\'s posture', params: tenantParamsSchema, response: { 202: acceptedSchema, ...authErrorResponses } },
      config: { audit: 'posture_publish', maxBodyBytes: opts.maxBytes },
      preParsing: mayPublish(undefined)
    }, async function publishTenant (request, reply) {
      return publish(app, request, reply, request.params.tenant)
    })
  }
  return { vendor, tenant }
}

function acceptPostureBodies (app: FastifyInstance, maxBytes: number): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(POSTURE_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => { done(null, body) })
}

/**
 * Before a byte of the body is read: only a publisher, and only for a tenant it is granted (the
 * vendor's own posture needs every tenant, `*`).
 */
function mayPublish (fixedTenant: string | undefined) {
  return async function checkPublisher (request: FastifyRequest): Promise<void> {
    const principal = request.principal
    if (principal === null) throw unauthenticated('missing_credentials', false)
    if (principal.tier !== 'publisher') throw forbidden('not_a_publisher', 'you may not publish this posture')
    const tenant = fixedTenant ?? (request.params as { tenant?: string }).tenant ?? ''
    const granted = tenant === DEFAULT_POSTURE ? principal.tenants.has('*') : mayReadTenant(principal, tenant)
    if (!granted) throw forbidden('tenant_not_granted', 'you may not publish this posture')
  }
}

async function publish (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, tenant: string): Promise<FastifyReply> {
  const body = request.body
  if (!Buffer.isBuffer(body) || body.length === 0) throw badRequest('the body must be a posture document, JSON or YAML')
  const principal = request.principal
  if (principal === null) throw unauthenticated('missing_credentials', false)
  const idempotency = idempotencyKey(request)
  let compliance: PostureStatus
  try {
    compliance = validatePublished(tenant, body.toString('utf8')).compliance_posture
  } catch (err) {
    if (err instanceof StartupError) throw badRequest(err.message)
    throw err
  }
  let outcome: PublishOutcome
  try {
    outcome = await app.versionStore().publish({ tenant, body, publisher: principalLabel(principal), compliance, idempotencyKey: idempotency })
  } catch (err) {
    if (err instanceof IdempotencyConflict) throw conflict('this Idempotency-Key was used for another publish; use a new key for a new version')
    throw err
  }
  const { record } = outcome
  request.auditVersion = { id: record.id, sha256: record.sha256 }
  if (!outcome.replayed) {
    void app.refreshPosture()
    app.postureHistory().prune(tenant).catch((err: unknown) => { request.log.error({ reason: err instanceof Error ? err.message : 'unexpected error', tenant }, 'old posture versions not pruned') })
  }
  return reply.code(202).send({ id: record.id, status: 'accepted', message: 'the version is stored and will be served once loaded', received_at: record.published_at } satisfies Accepted)
}

function idempotencyKey (request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key']
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters, sent once')
  return value
}
