import { basename } from 'node:path'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { TIERS } from '../domain/tier.ts'
import { invalidLink, linkExpired, notFound, unavailable } from '../errors.ts'
import { EVIDENCE_ID_PATTERN } from '../evidence/evidence-item.ts'
import { contentTypeOf, safeFilename } from '../evidence/content-type.ts'
import type { LocalObject } from '../evidence/local-store.ts'
import { commonErrorResponses, emptyBodySchema, errorBodySchema, streamedBodySchema } from '../http/error-schema.ts'
import { DEFAULT_POSTURE, isTenantId } from '../domain/tenant-id.ts'

/** A gateway redirect to storage lives at most this long (the bound: 5 minutes). */
const REDIRECT_LIFETIME_SECONDS = 300

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
  e: z.string(MALFORMED).regex(/^\d{1,12}$/, MALFORMED),
  s: z.string(MALFORMED).regex(/^[A-Za-z0-9_-]{43}$/, MALFORMED)
}, MALFORMED)

/**
 * `GET /evidence/<tenant>/<item>?p&t&e&s`: the gateway behind auditors' evidence links. The link
 * itself is the credential (a browser following it sends nothing else): its HMAC binds tenant,
 * item, principal, tier and expiry. A changed field is a 403; a good link past its time a 410.
 * The file is streamed with its SHA-256 in `Repr-Digest` (RFC 9530), as an attachment.
 */
const evidenceRoute: FastifyPluginAsyncZod = async function evidenceRoute (app) {
  app.get('/evidence/:tenant/:item', {
    schema: {
      params: paramsSchema,
      querystring: querySchema,
      response: { 200: streamedBodySchema, 302: emptyBodySchema, ...commonErrorResponses, 403: errorBodySchema, 410: errorBodySchema }
    },
    config: { audit: 'evidence_access' }
  }, async function followEvidenceLink (request, reply) {
    const { tenant, item } = request.params
    const query = request.query
    const claims = { tenant, item, principal: query.p, tier: query.t, expires: Number(query.e) }
    request.auditEvidence = { id: item, tenant, expires: new Date(claims.expires * 1000).toISOString(), principal: query.p, tier: query.t }
    if (!app.gatewaySigner.verify(claims, query.s)) throw invalidLink()
    if (Date.now() / 1000 > claims.expires) throw linkExpired()
    const indexed = app.posture.current?.evidenceItem(tenant, item)
    if (indexed === undefined) throw notFound('no such evidence')
    if (!await indexed.backend.unchanged(indexed.object)) {
      throw unavailable(60, 'evidence_changed', 'this evidence changed since it was indexed; fetch the posture again after the next reload')
    }
    reply.header('cache-control', 'private, no-store')
    if (indexed.backend.presign !== undefined) {
      // Storage serves the bytes; the hop through cpxd is what gets audited. Short-lived on purpose.
      return reply.redirect(await indexed.backend.presign(indexed.object, REDIRECT_LIFETIME_SECONDS), 302)
    }
    const path = (indexed.object as LocalObject).path
    return reply
      .header('content-type', contentTypeOf(path))
      .header('content-length', String(indexed.size))
      .header('content-disposition', `attachment; filename="${safeFilename(basename(path))}"`)
      .header('repr-digest', `sha-256=:${Buffer.from(indexed.sha256, 'hex').toString('base64')}:`)
      .send(await indexed.backend.open(indexed.object))
  })
}

export default evidenceRoute
