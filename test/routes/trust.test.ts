import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, type TestApp } from '../helpers/build.ts'
import { scratchDir } from '../helpers/tmp.ts'

const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

describe('the trust page', () => {
  let t: TestApp
  beforeAll(async () => { t = await build() })
  afterAll(async () => { await t.app.close() })

  it('is where / sends a browser, and is audited', async () => {
    const root = await t.app.inject('/')
    expect(root.statusCode).toBe(302)
    expect(root.headers.location).toBe('/trust')
    expect(t.auditLines().at(-1)).toMatchObject({ event: 'trust_page', path: '/', status: 302 })
  })

  it('shows the public posture as HTML with its own strict CSP, no inline script or style, and an ETag', async () => {
    const page = await t.app.inject('/trust')
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toBe(CSP)
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    const html = page.body
    expect(html).toContain('<title>Northwind Cloud trust center</title>')
    expect(html).toMatch(/<h3>SOC2 <span>Type II<\/span><\/h3>/)
    expect(html).toContain('<dt>Score</dt><dd>93%</dd>')
    expect(html).toContain('Harbor &#38; Vale LLP')
    expect(html).toContain('0c1d2e3f405162738495a6b7c8d9e0f10c1d2e3f405162738495a6b7c8d9e0f1')
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/)
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i)
    // Nothing the anonymous /cpx answer does not show.
    expect(html).not.toContain('CC6.1')
    const again = await t.app.inject({ url: '/trust', headers: { 'if-none-match': page.headers.etag as string } })
    expect(again.statusCode).toBe(304)
  })

  it('serves its stylesheets and favicon, cacheable', async () => {
    const css = await t.app.inject('/trust/trust.css')
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
    expect(css.body).toContain('prefers-color-scheme: dark')
    expect((await t.app.inject('/trust/accent.css')).body).toContain('--accent: #2557d6; --on-accent: #ffffff;')
    const icon = await t.app.inject('/trust/favicon.svg')
    expect(icon.headers['content-type']).toBe('image/svg+xml')
    expect(icon.headers['cache-control']).toBe('public, max-age=3600')
    expect((await t.app.inject('/trust/logo')).statusCode).toBe(404)
    expect(css.headers['cross-origin-resource-policy']).toBe('same-site')
  })

  it('serves embed.js for other sites to load (cross-origin), writing text only through textContent', async () => {
    const script = await t.app.inject('/trust/embed.js')
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(script.headers['cross-origin-resource-policy']).toBe('cross-origin')
    expect(script.body).toContain("customElements.define('cpx-trust-summary'")
    expect(script.body).toContain("attachShadow({ mode: 'open' })")
    expect(script.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|eval\(|new Function/)
  })
})

describe('the trust page, configured', () => {
  let t: TestApp
  beforeAll(async () => {
    const dir = scratchDir()
    const day = 86_400_000
    const at = (offset: number) => new Date(Date.now() + offset).toISOString().slice(0, 10)
    writeFileSync(join(dir, 'logo.png'), Buffer.from('89504e470d0a1a0a', 'hex'))
    writeFileSync(join(dir, '_default.yaml'), [
      'organization: { name: "<script>alert(1)</script> Inc" }',
      'frameworks:',
      `  - { name: SOC2, status: compliant, score: 1, next_audit: "${at(-day)}", report_ref: "javascript:alert(1)" }`,
      `  - { name: ISO27001, status: partial, score: 0.9, next_audit: "${at(10 * day)}" }`,
      `  - { name: HIPAA, status: compliant, score: 1, next_audit: "${at(200 * day)}" }`
    ].join('\n'))
    t = await build({ posture_dir: dir, trust_page: { title: 'Security at Example', logo_file: join(dir, 'logo.png'), accent: '#ffd700' } })
  })
  afterAll(async () => { await t.app.close() })

  it('says plainly which reports are expired or expiring, escapes everything, and links only to http(s)', async () => {
    const html = (await t.app.inject('/trust')).body
    expect(html).toContain('<title>Security at Example</title>')
    expect(html).toContain('<span class="state-bad">Expired: next audit was due')
    expect(html).toContain('<span class="state-warn">Expiring soon: next audit due')
    expect(html).toContain('<span class="state-ok">Valid: next audit due')
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; Inc')
    expect(html).not.toContain('<script>alert(1)')
    expect(html).not.toContain('javascript:')
    expect(html).toContain('<img src="/trust/logo" alt=')
    expect((await t.app.inject('/trust/logo')).headers['content-type']).toBe('image/png')
    // A light accent gets dark text on it.
    expect((await t.app.inject('/trust/accent.css')).body).toContain('--accent: #ffd700; --on-accent: #000000;')
  })
})

describe('with trust_page.enabled: false', () => {
  it('serves no page, and / is a 404 as before', async () => {
    const t = await build({ trust_page: { enabled: false } })
    expect((await t.app.inject('/')).statusCode).toBe(404)
    expect((await t.app.inject('/trust')).statusCode).toBe(404)
    await t.app.close()
  })
})

describe('framework badges', () => {
  let t: TestApp
  beforeAll(async () => { t = await build() })
  afterAll(async () => { await t.app.close() })

  it('render a public framework\'s status as an SVG with a title, no script, its own CSP, loadable by other sites', async () => {
    const badge = await t.app.inject('/cpx/badge/SOC2.svg')
    expect(badge.statusCode).toBe(200)
    expect(badge.headers['content-type']).toBe('image/svg+xml')
    expect(badge.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'")
    expect(badge.headers['cross-origin-resource-policy']).toBe('cross-origin')
    expect(badge.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*role="img" aria-label="SOC2: compliant"><title>SOC2: compliant<\/title>/)
    expect(badge.body).not.toMatch(/<script|<style|\son[a-z]+=|href=/i)
    expect((await t.app.inject({ url: '/cpx/badge/soc2.svg', headers: { 'if-none-match': badge.headers.etag as string } })).statusCode).toBe(304)
    expect((await t.app.inject('/cpx/badge/ISO27001.svg')).body).toContain('<title>ISO27001: partial</title>')
    // Every other answer stays same-site.
    expect((await t.app.inject('/cpx')).headers['cross-origin-resource-policy']).toBe('same-site')
  })

  it('is a neutral "unknown" with 404 for a framework that is not public, the same as one that does not exist', async () => {
    for (const name of ['ISO42001', 'NoSuchThing']) {
      const badge = await t.app.inject(`/cpx/badge/${name}.svg`)
      expect(badge.statusCode).toBe(404)
      expect(badge.headers['content-type']).toBe('image/svg+xml')
      expect(badge.body).toContain(`<title>${name}: unknown</title>`)
    }
    expect((await t.app.inject('/cpx/badge/%3Cscript%3E.svg')).statusCode).toBe(400)
  })
})
