import { readFileSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { CpxdConfig } from '../config/schema.ts'
import { etagOf } from '../etag.ts'
import { ANONYMOUS } from '../domain/principal.ts'
import { DEFAULT_POSTURE } from '../domain/tenant-id.ts'
import { notFound, postureNotLoaded } from '../errors.ts'
import { matchesEtag } from '../http/posture-response.ts'
import type { RenderedBody } from '../posture/rendered-posture.ts'
import { accentCss, renderTrustPage } from '../posture/trust-page.ts'
import { StartupError } from '../startup-error.ts'

/** The page's own policy: its stylesheets, scripts and images, from here only; nothing inline. */
export const TRUST_PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const ASSETS = join(import.meta.dirname, '..', '..', 'assets', 'trust')
const LOGO_TYPES: Readonly<Record<string, string>> = { '.png': 'image/png', '.svg': 'image/svg+xml', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' }
const MAX_LOGO_BYTES = 512 * 1024

interface Asset {
  readonly body: Buffer
  readonly type: string
  readonly etag: string
}

function asset (body: Buffer | string, type: string): Asset {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body)
  return { body: bytes, type, etag: etagOf(bytes) }
}

export interface TrustPageRouteOptions {
  readonly page: CpxdConfig['trust_page']
  readonly configFile: string
}

/**
 * `GET /trust`, the trust-center page, and what it loads (stylesheets, favicon, logo), with
 * `embed.js`, the `<cpx-trust-summary>` element for other sites; `/` sends a browser there. The page is the anonymous `/cpx` answer as HTML, rebuilt with each posture
 * version, so it shows exactly what `/cpx` shows anonymously.
 */
const trustRoutes: FastifyPluginAsync<TrustPageRouteOptions> = async function trustRoutes (app, opts) {
  const logo = readLogo(opts.page.logo_file, opts.configFile)
  const assets: Record<string, Asset> = {
    '/trust/trust.css': asset(readFileSync(join(ASSETS, 'trust.css')), 'text/css; charset=utf-8'),
    '/trust/accent.css': asset(accentCss(opts.page.accent), 'text/css; charset=utf-8'),
    '/trust/favicon.svg': asset(readFileSync(join(ASSETS, 'favicon.svg')), 'image/svg+xml'),
    '/trust/embed.js': asset(readFileSync(join(ASSETS, 'embed.js')), 'text/javascript; charset=utf-8'),
    ...(logo === undefined ? {} : { '/trust/logo': logo })
  }
  const pages = new WeakMap<Buffer, { day: string, page: Asset }>()
  const config = { audit: 'trust_page' }

  app.get('/', { schema: { hide: true }, config }, async function toTrustPage (request, reply) {
    // The router resolves dot segments (`/cpx/%2e%2e` reaches here): only `/` itself redirects.
    if (request.url.split('?', 1)[0] !== '/') throw notFound()
    return reply.code(302).header('location', '/trust').send()
  })
  for (const [url, file] of Object.entries(assets)) {
    app.get(url, { schema: { hide: true }, config }, async function sendAsset (request, reply) {
      // Other sites load embed.js; everything else stays same-site.
      if (url === '/trust/embed.js') reply.header('cross-origin-resource-policy', 'cross-origin')
      return send(request, reply, file, 'public, max-age=3600')
    })
  }
  app.get('/trust', { schema: { hide: true }, config }, async function trustPage (request, reply) {
    const version = app.posture.current
    if (version === undefined) throw postureNotLoaded()
    const posture = version.vendor()
    if (posture === undefined) throw notFound('no posture is published here')
    // The full profile keeps every field the posture file gives a framework (next_audit among them).
    const renderRequest = { tier: 'public', format: 'json', profile: 'full', framework: undefined } as const
    const answer: RenderedBody = posture.hasLinks('public')
      ? await posture.renderWithLinks(renderRequest, version.linksFor(app.evidenceLinks, ANONYMOUS, DEFAULT_POSTURE))
      : posture.render(renderRequest)
    // Expiry states change with the date, so a cached page lasts a day at most.
    const day = new Date().toISOString().slice(0, 10)
    let page = pages.get(answer.body)
    if (page?.day !== day) {
      page = { day, page: asset(renderTrustPage(JSON.parse(answer.body.toString()) as Record<string, unknown>, { title: opts.page.title, hasLogo: logo !== undefined }), 'text/html; charset=utf-8') }
      if (answer.etag !== '') pages.set(answer.body, page)
    }
    reply.header('content-security-policy', TRUST_PAGE_CSP)
    return send(request, reply, answer.etag === '' ? { ...page.page, etag: '' } : page.page, 'public, max-age=60')
  })
}

function send (request: FastifyRequest, reply: FastifyReply, file: Asset, cacheControl: string): FastifyReply {
  reply.header('cache-control', cacheControl)
  if (file.etag !== '') {
    reply.header('etag', file.etag)
    if (matchesEtag(request.headers['if-none-match'], file.etag)) return reply.code(304).send()
  }
  return reply.type(file.type).send(file.body)
}

function readLogo (file: string | undefined, configFile: string): Asset | undefined {
  if (file === undefined) return undefined
  const type = LOGO_TYPES[extname(file).toLowerCase()]
  if (type === undefined) throw new StartupError(configFile, 'trust_page.logo_file', 'must be a .png, .svg, .jpg or .webp file')
  try {
    if (statSync(file).size > MAX_LOGO_BYTES) throw new StartupError(configFile, 'trust_page.logo_file', `${file} is larger than 512 KiB`)
    return asset(readFileSync(file), type)
  } catch (err) {
    if (err instanceof StartupError) throw err
    throw new StartupError(configFile, 'trust_page.logo_file', `${file} cannot be read`)
  }
}

export default trustRoutes
