import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { etagOf } from '../etag.ts'
import { postureNotLoaded } from '../errors.ts'
import { matchesEtag } from '../http/posture-response.ts'
import { frameworkKey } from '../posture/document.ts'
import { renderBadge } from '../posture/badge.ts'

/** A badge is an image: nothing in it may load or run anything. */
export const BADGE_CSP = "default-src 'none'; frame-ancestors 'none'"

const badgeParams = z.object({
  file: z.string().regex(/^[A-Za-z0-9._ -]{1,64}\.svg$/, { error: 'a badge is <framework>.svg' })
})

/**
 * `GET /cpx/badge/<framework>.svg`: a framework's status as the anonymous `/cpx` shows it. A
 * framework that is not public (or does not exist) gets a neutral "unknown" badge with a 404, the
 * same either way. Other sites load badges, so they alone (with embed.js) are
 * `Cross-Origin-Resource-Policy: cross-origin`.
 */
const badgeRoute: FastifyPluginAsyncZod = async function badgeRoute (app) {
  app.get('/cpx/badge/:file', {
    schema: { hide: true, params: badgeParams },
    config: { audit: 'badge' }
  }, async function sendBadge (request, reply) {
    const version = app.posture.current
    if (version === undefined) throw postureNotLoaded()
    const asked = request.params.file.slice(0, -'.svg'.length)
    const frameworks = (version.vendor()?.view('public').frameworks ?? []) as Array<{ name: string, status: string }>
    const framework = frameworks.find((f) => frameworkKey(f.name) === frameworkKey(asked))
    const svg = framework === undefined ? renderBadge(asked, 'unknown') : renderBadge(framework.name, framework.status)
    const etag = etagOf(svg)
    reply.headers({ 'content-security-policy': BADGE_CSP, 'cross-origin-resource-policy': 'cross-origin', 'cache-control': 'public, max-age=300', etag })
    if (framework !== undefined && matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send()
    return reply.code(framework === undefined ? 404 : 200).type('image/svg+xml').send(svg)
  })
}

export default badgeRoute
