import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { badRequest, forbidden, notFound, postureNotLoaded, postureStale, unavailable } from '../errors.ts'
import { DEFAULT_POSTURE } from '../domain/tenant-id.ts'
import { readsPosture, type Tier } from '../domain/tier.ts'
import { sendPosture } from '../http/posture-response.ts'
import { frameworkKey, SYSTEM_ID_PATTERN } from '../posture/document.ts'
import { VERSION_ID_PATTERN } from '../posture/file-history.ts'
import { ANSWER_FORMATS, negotiateFormat, PROFILES, type AnswerFormat } from '../posture/formats.ts'
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

type AskedPosture = { posture: RenderedPosture, historic: boolean } | undefined

/**
 * The posture a request asks for: the current one, or with `?version=` or `?at=` a published one
 * (whose evidence is as it was declared then, without links). Undefined when there is none.
 */
function postureAsked (request: FastifyRequest, version: PostureVersion, tenant: string, query: PostureQuery): AskedPosture | Promise<AskedPosture> {
  if (query.version === undefined && query.at === undefined) {
    const posture = tenant === DEFAULT_POSTURE ? version.vendor() : version.tenant(tenant)
    return posture === undefined ? undefined : { posture, historic: false }
  }
  const which = query.version !== undefined ? { id: query.version } : { at: Date.parse(query.at as string) }
  return request.server.historicPosture(tenant, which).then((posture) => posture === undefined ? undefined : { posture, historic: true })
}

export interface PostureRequest {
  /** `_default` for the vendor's own posture. */
  readonly tenant: string
  readonly query: PostureQuery
  readonly publicMaxAgeSeconds: number
  /** The 404 message when the current version has no posture here. */
  readonly noPosture: string
}

/**
 * Answers `/cpx` or `/cpx/<tenant>`. Synchronous whenever it can be (the current version, an answer
 * without links), and then returns undefined with the answer on its way: an async handler, or one
 * that returns the reply, makes Fastify wait for the response through `reply.then`, which adds and
 * removes stream listeners on every request (about 3% of a public answer, docs/performance.md).
 * Otherwise a promise that settles once the answer has gone out (settling earlier would let
 * Fastify send a second, empty answer).
 */
export function answerPostureRequest (request: FastifyRequest, reply: FastifyReply, asked: PostureRequest): Promise<void> | undefined {
  const version = request.server.posture.current
  if (version === undefined) throw postureNotLoaded()
  const found = postureAsked(request, version, asked.tenant, asked.query)
  const serve = (posture: AskedPosture): FastifyReply | Promise<FastifyReply> => {
    if (posture === undefined) throw notFound(asked.query.version === undefined && asked.query.at === undefined ? asked.noPosture : 'no published version matches version or at')
    return servePosture(request, reply, { version, posture: posture.posture, historic: posture.historic, tenant: asked.tenant, query: asked.query, publicMaxAgeSeconds: asked.publicMaxAgeSeconds })
  }
  if (found instanceof Promise) return untilSent(found.then(serve))
  const served = serve(found)
  return served instanceof Promise ? untilSent(served) : undefined
}

/** Settles once the answer has gone out: awaiting a reply waits for that. */
async function untilSent (reply: Promise<FastifyReply>): Promise<void> {
  await reply
}

function servePosture (request: FastifyRequest, reply: FastifyReply, answer: PostureAnswer): FastifyReply | Promise<FastifyReply> {
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
  if (format === 'jws' && request.server.answerSigner === undefined) throw badRequest('a signed document (format jws) needs signing, which this server has turned off')
  const renderRequest = { tier, format: format === 'jws' ? 'json' : format, profile: query.profile ?? 'standard', framework, system: query.system_id } as const
  // An answer with links is made for this request alone; any other is shared until the next version.
  if (principal !== null && posture.hasLinks(tier)) {
    const links = counted(request.server.evidenceLinkCounts, answer.version.linksFor(request.server.evidenceLinks, principal, answer.tenant))
    return posture.renderWithLinks(renderRequest, links).then((rendered) => signAndSend(request, reply, answer, rendered, { format, tier, perRequest: true }))
  }
  return signAndSend(request, reply, answer, posture.render(renderRequest), { format, tier, perRequest: false })
}

function signAndSend (request: FastifyRequest, reply: FastifyReply, answer: PostureAnswer, body: RenderedBody, { format, tier, perRequest }: { format: AnswerFormat, tier: Tier, perRequest: boolean }): FastifyReply {
  const signer = request.server.answerSigner
  if (signer === undefined) return sendPosture(request, reply, body, answer.publicMaxAgeSeconds, undefined)
  const tenant = answer.tenant === DEFAULT_POSTURE ? undefined : answer.tenant
  const rendered = format === 'jws' ? signer.document(body, { tenant, tier }, !perRequest) : body
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
