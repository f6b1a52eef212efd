import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { TIERS } from '../domain/tier.ts'
import { invalidLink, linkExpired, linkFromBeforeRestart, notFound, postureNotLoaded, unavailable } from '../errors.ts'
import { EVIDENCE_ID_PATTERN } from '../evidence/evidence-item.ts'
import { contentTypeOf, safeFilename } from '../evidence/content-type.ts'
import { EvidenceChangedError } from '../evidence/backend.ts'
import type { IndexedEvidence } from '../evidence/evidence-index.ts'
import { commonErrorResponses, emptyBodySchema, errorBodySchema, streamedBodySchema } from '../http/error-schema.ts'
import { DEFAULT_POSTURE, isTenantId } from '../domain/tenant-id.ts'

/** A gateway redirect to storage lives at most this long (the bound: 5 minutes). */
const REDIRECT_LIFETIME_SECONDS = 300

function evidenceChanged () {
  return unavailable(60, 'evidence_changed', 'this evidence changed since it was indexed; fetch the posture again after the next reload')
}

/** One message for every way a link can be malformed: nothing about which part, and never zod's words. */
const MALFORMED = { error: 'this evidence link is malformed' }

const paramsSchema = z.object({
  // The vendor's own posture is `_default`, which no tenant id can be.
  tenant: z.string(MALFORMED).refine((tenant) => tenant === DEFAULT_POSTURE || isTenantId(tenant), MALFORMED),
  item: z.string(MALFORMED).regex(EVIDENCE_ID_PATTERN, MALFORMED)
}, MALFORMED)

const querySchema = z.strictObject({
  p: z.string(MALFORMED).min(1, MALFORMED).max(600, MALFORMED),
  t: z.enum(TIERS, MALFORMED),
  // No leading zero: a signed number has one spelling.
  e: z.string(MALFORMED).regex(/^(0|[1-9]\d{0,11})$/, MALFORMED),
  s: z.string(MALFORMED).regex(/^[A-Za-z0-9_-]{43}$/, MALFORMED)
}, MALFORMED)

type LinkParams = z.output<typeof paramsSchema>
type LinkQuery = z.output<typeof querySchema>

/**
 * `GET /evidence/<tenant>/<item>?p&t&e&s`: the gateway behind auditors' evidence links. The link
 * itself is the credential (a browser following it sends nothing else): its HMAC binds tenant,
 * principal, tier and expiry (the answer's grant), and the item must be one that tier's answers
 * link to now. A changed field is a 403; a good link past its time a 410; an item outside the
 * grant a 404.
 * The file is streamed with its SHA-256 in `Repr-Digest` (RFC 9530), as an attachment. HEAD is
 * answered from what was indexed and opens nothing: reading a file only to throw its bytes away
 * would let a client make cpxd read any amount for nothing.
 */
const evidenceRoute: FastifyPluginAsyncZod = async function evidenceRoute (app) {
  const schema = {
    params: paramsSchema,
    querystring: querySchema,
    response: { 200: streamedBodySchema.or(emptyBodySchema), 302: emptyBodySchema, ...commonErrorResponses, 401: errorBodySchema, 403: errorBodySchema, 410: errorBodySchema }
  }
  const config = { audit: 'evidence_access' }

  // The link is the credential; one sent beside it must still be valid, as everywhere else.
  const preParsing = app.acceptAnonymous

  app.get('/evidence/:tenant/:item', { schema, config, preParsing, exposeHeadRoute: false }, async function followEvidenceLink (request, reply) {
    const indexed = linkedEvidence(app, request, request.params, request.query)
    const redirect = await describe(reply, indexed)
    if (redirect !== undefined) return reply.redirect(redirect, 302)
    let bytes: Readable
    try {
      bytes = await indexed.backend.open(indexed.object)
    } catch (err) {
      if (err instanceof EvidenceChangedError) throw evidenceChanged()
      throw err
    }
    return reply.send(bytes)
  })

  app.head('/evidence/:tenant/:item', { schema, config, preParsing }, async function describeEvidence (request, reply) {
    const indexed = linkedEvidence(app, request, request.params, request.query)
    const redirect = await describe(reply, indexed)
    if (redirect !== undefined) return reply.redirect(redirect, 302)
    if (!await indexed.backend.unchanged(indexed.object)) throw evidenceChanged()
    return reply.send(null)
  })
}

export default evidenceRoute

/** The evidence a link names, once its signature and expiry check out. */
function linkedEvidence (app: FastifyInstance, request: FastifyRequest, params: LinkParams, query: LinkQuery): IndexedEvidence {
  const { tenant, item } = params
  const grant = { tenant, principal: query.p, tier: query.t, expires: Number(query.e) }
  const audited = { id: item, tenant, expires: new Date(grant.expires * 1000).toISOString(), principal: query.p, tier: query.t, verified: false }
  request.auditEvidence = audited
  if (!app.gatewaySigner.verify(grant, query.s)) throw app.signedBeforeThisStart(grant.expires) ? linkFromBeforeRestart() : invalidLink()
  audited.verified = true
  if (Date.now() / 1000 > grant.expires) throw linkExpired()
  const version = app.posture.current
  if (version === undefined) throw postureNotLoaded()
  // The grant names no item: the item must be one this tier's answers link to now. One withdrawn
  // or made private since the link was handed out is gone, as one that never existed.
  const indexed = version.grantedItem(tenant, grant.tier, item)
  if (indexed === undefined) throw notFound('no such evidence')
  app.evidenceLinkCounts.followed += 1
  return indexed
}

/** Headers of the answer; a redirect to storage when the backend presigns. */
async function describe (reply: FastifyReply, indexed: IndexedEvidence): Promise<string | undefined> {
  const { backend, object } = indexed
  reply.header('cache-control', 'private, no-store')
  if (backend.presign !== undefined) {
    if (!await backend.unchanged(object)) throw evidenceChanged()
    // Storage serves the bytes; the hop through cpxd is what gets audited. Short-lived on purpose.
    return backend.presign(object, REDIRECT_LIFETIME_SECONDS)
  }
  const name = basename(object.location)
  reply
    .header('content-type', contentTypeOf(name))
    .header('content-length', String(indexed.size))
    .header('content-disposition', `attachment; filename="${safeFilename(name)}"`)
    .header('repr-digest', `sha-256=:${Buffer.from(indexed.sha256, 'hex').toString('base64')}:`)
  return undefined
}
