import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { badRequest, forbidden, notFound, postureStale, unavailable } from '../errors.ts'
import { DEFAULT_POSTURE } from '../domain/tenant-id.ts'
import { readsPosture } from '../domain/tier.ts'
import { sendPosture } from '../http/posture-response.ts'
import { frameworkKey, SYSTEM_ID_PATTERN } from '../posture/document.ts'
import { VERSION_ID_PATTERN } from '../posture/file-history.ts'
import { ANSWER_FORMATS, negotiateFormat, PROFILES } from '../posture/formats.ts'
import type { MintLink } from '../evidence/gateway-links.ts'
import type { PostureVersion } from '../posture/posture-version.ts'
import type { RenderedBody, RenderedPosture } from '../posture/rendered-posture.ts'

/** The query both posture routes read; anything else is refused so typos do not pass silently. */
export const postureQuerySchema = z.strictObject({
  format: z.enum(ANSWER_FORMATS, { error: 'format must be json, yaml or jws' }).optional(),
  profile: z.enum(PROFILES, { error: 'profile must be standard, full or strict' }).optional(),
  framework: z.string({ error: 'framework must be given once' })
    .min(1, { error: 'framework must not be empty' })
    .max(128, { error: 'framework must be at most 128 characters' })
    .optional(),
  system_id: z.string({ error: 'system_id must be given once' })
    .regex(SYSTEM_ID_PATTERN, { error: `system_id must match ${SYSTEM_ID_PATTERN.source}` })
    .optional(),
  version: z.string({ error: 'version must be given once' })
    .regex(VERSION_ID_PATTERN, { error: 'version must be a version id from /cpx/<tenant>/versions' })
    .optional(),
  at: z.iso.datetime({ offset: true, error: 'at must be an RFC 3339 time such as 2026-11-01T00:00:00Z' }).optional()
}, {
  error: (issue) => issue.code === 'unrecognized_keys'
    ? `unknown query parameter "${String(issue.keys[0]).slice(0, 64)}"; cpxd reads format, profile, framework, system_id, version and at`
    : 'the query string is not valid'
}).refine((query) => query.version === undefined || query.at === undefined, { error: 'give version or at, not both' })

export type PostureQuery = z.output<typeof postureQuerySchema>

export interface PostureAnswer {
  /** The version the request took; its evidence backs the links in the answer. */
  readonly version: PostureVersion
  readonly posture: RenderedPosture
  /** `_default` for the vendor's own posture: evidence links are bound to it. */
  readonly tenant: string
  readonly query: PostureQuery
  readonly publicMaxAgeSeconds: number
  /** A published version asked for by `?version=` or `?at=`. */
  readonly historic?: boolean
}

/**
 * The posture a request asks for: the current one, or with `?version=` or `?at=` a published one
 * (whose evidence is as it was declared then, without links). Undefined when there is none.
 */
export async function postureAsked (request: FastifyRequest, version: PostureVersion, tenant: string, query: PostureQuery): Promise<{ posture: RenderedPosture, historic: boolean } | undefined> {
  if (query.version === undefined && query.at === undefined) {
    const posture = tenant === DEFAULT_POSTURE ? version.vendor() : version.tenant(tenant)
    return posture === undefined ? undefined : { posture, historic: false }
  }
  const which = query.version !== undefined ? { id: query.version } : { at: Date.parse(query.at as string) }
  const posture = await request.server.historicPosture(tenant, which)
  return posture === undefined ? undefined : { posture, historic: true }
}

export async function servePosture (request: FastifyRequest, reply: FastifyReply, answer: PostureAnswer): Promise<FastifyReply> {
  const { posture, query } = answer
  // A version asked for by id or time is old by design: freshness is about the current one.
  if (answer.historic !== true && answer.version.isStale(answer.tenant)) throw postureStale()
  const tier = request.principal?.tier ?? 'public'
  // Operators watch cpxd (/cpx/metrics) and publishers publish (POST); neither reads a posture document.
  if (!readsPosture(tier)) throw forbidden(`${tier}_reads_no_posture`)
  let framework: string | undefined
  if (query.framework !== undefined) {
    framework = frameworkKey(query.framework)
    // Only frameworks this tier can see count, so a filter cannot confirm a hidden one exists.
    if (!posture.hasFramework(tier, framework)) throw notFound('no framework in this posture matches the framework filter')
  }
  const principal = request.principal
  // Nobody to answer: the work (an auditor's answer can be large) is not done for nothing.
  if (request.raw.socket?.destroyed === true) throw unavailable(1, 'client_gone')
  if (query.system_id !== undefined && !posture.hasSystem(query.system_id)) throw notFound('no system in this posture matches system_id')
  const format = negotiateFormat(query.format, request.headers.accept)
  const signer = request.server.answerSigner
  if (format === 'jws' && signer === undefined) throw badRequest('a signed document (format jws) needs signing, which this server has turned off')
  const renderRequest = { tier, format: format === 'jws' ? 'json' : format, profile: query.profile ?? 'standard', framework, system: query.system_id } as const
  // An answer with links is made for this request alone; any other is shared until the next version.
  const perRequest = principal !== null && posture.hasLinks(tier)
  let rendered: RenderedBody = perRequest
    ? await posture.renderWithLinks(renderRequest, counted(request.server.evidenceLinkCounts, answer.version.linksFor(request.server.evidenceLinks, principal, answer.tenant)))
    : posture.render(renderRequest)
  if (signer === undefined) return sendPosture(request, reply, rendered, answer.publicMaxAgeSeconds, undefined)
  const tenant = answer.tenant === DEFAULT_POSTURE ? undefined : answer.tenant
  if (format === 'jws') rendered = signer.document(rendered, { tenant, tier }, !perRequest)
  // A tenant answer is bound to the path it was asked on. Only the canonical path shares a
  // signature: one per spelling (`/cpx/%61cme`) would let a caller grow the cache without end.
  const path = tenant === undefined ? undefined : request.url.split('?', 1)[0]
  const signature = signer.sign(rendered, path, !perRequest && (path === undefined || path === `/cpx/${tenant}`))
  return sendPosture(request, reply, rendered, answer.publicMaxAgeSeconds, signature)
}

/** Counts each link an answer hands out. */
function counted (counts: { issued: number }, mint: MintLink): MintLink {
  return (itemId) => {
    counts.issued += 1
    return mint(itemId)
  }
}
