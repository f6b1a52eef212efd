import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RenderedBody } from '../posture/rendered-posture.ts'
import type { SignatureHeaders } from '../signing/message-signature.ts'

/**
 * Headers the answer depends on, so shared caches keep one copy per variant. (`Accept` also
 * selects a signed JWS, `application/jose`.)
 */
const VARY = 'Accept, Authorization, X-API-Key'

/**
 * Sends a rendered posture. An anonymous answer is cacheable (`public, max-age`) and honours
 * If-None-Match with a 304; an authenticated one is `no-store`, because it is somebody's view.
 */
export function sendPosture (request: FastifyRequest, reply: FastifyReply, rendered: RenderedBody, publicMaxAgeSeconds: number, signature: SignatureHeaders | undefined): FastifyReply {
  const anonymous = request.principal === null || request.principal.kind === 'anonymous'
  appendVary(reply)
  // Answers with per-request evidence links have no ETag: no two are alike.
  if (rendered.etag !== '') reply.header('etag', rendered.etag)
  if (anonymous) {
    reply.header('cache-control', `public, max-age=${publicMaxAgeSeconds}`)
    if (rendered.etag !== '' && matchesEtag(request.headers['if-none-match'], rendered.etag)) return reply.code(304).send()
  } else {
    reply.header('cache-control', 'no-store')
  }
  if (signature !== undefined) reply.headers({ ...signature })
  return reply.type(rendered.contentType).send(rendered.body)
}

function appendVary (reply: FastifyReply): void {
  const existing = reply.getHeader('vary')
  reply.header('vary', existing === undefined ? VARY : `${String(existing)}, ${VARY}`)
}

/** RFC 9110 If-None-Match: weak comparison over a list of tags, or `*`. */
export function matchesEtag (header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  for (const candidate of header.split(',')) {
    const tag = candidate.trim()
    if (tag === '*' || tag === etag || tag === `W/${etag}`) return true
  }
  return false
}
