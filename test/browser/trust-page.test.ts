import { mkdtempSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AxeBuilder } from '@axe-core/playwright'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildListening, type TestApp } from '../helpers/build.ts'
import { toolAvailable } from '../helpers/tools.ts'

const CHROMIUM = '/usr/bin/chromium'

const chromiumAvailable = (): boolean => toolAvailable(CHROMIUM, ['--version'], 'chromium', 'the trust page is tested in a real browser')

/** With UPDATE_SCREENSHOTS=1 the screenshots replace the ones in docs/; otherwise they go to a temp folder. */
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(import.meta.dirname, '..', '..', 'docs') : mkdtempSync(join(tmpdir(), 'cpxd-shots-'))

/** A second site, on another port (so another origin), that embeds the summary and a badge. */
async function hostSite (cpxdUrl: () => string): Promise<{ server: Server, origin: string }> {
  const server = createServer((_request, response) => {
    const cpxd = cpxdUrl()
    response.setHeader('content-type', 'text/html; charset=utf-8')
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title><link rel="icon" href="data:,"></head><body><main>
<script src="${cpxd}/trust/embed.js"></script>
<cpx-trust-summary src="${cpxd}/cpx"></cpx-trust-summary>
<img id="badge" src="${cpxd}/cpx/badge/SOC2.svg" alt="SOC 2 status">
</main></body></html>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` }
}

describe.runIf(chromiumAvailable())('the trust page in Chromium', () => {
  let t: TestApp & { port: number }
  let browser: Browser
  let allowed: { server: Server, origin: string }
  let refused: { server: Server, origin: string }
  let cpxd: string

  beforeAll(async () => {
    // The allowed site's origin goes into cpxd's CORS allowlist, so that site starts first.
    allowed = await hostSite(() => cpxd)
    refused = await hostSite(() => cpxd)
    t = await buildListening({ cors: { origins: [allowed.origin] } })
    cpxd = `http://127.0.0.1:${t.port}`
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    allowed?.server.close()
    refused?.server.close()
    await t?.app.close()
  })

  /** A page that reaches nothing beyond 127.0.0.1, and records console errors. */
  async function open (context: BrowserContext, url: string): Promise<{ page: Page, errors: string[] }> {
    await context.route('**/*', (route) => new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort())
    const page = await context.newPage()
    const errors: string[] = []
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()) })
    page.on('pageerror', (error) => { errors.push(error.message) })
    await page.goto(url)
    return { page, errors }
  }

  it.each([
    { scheme: 'light', width: 1280, height: 900, shot: 'trust-page-desktop.png' },
    { scheme: 'dark', width: 360, height: 800, shot: 'trust-page-phone.png' }
  ] as const)('renders the example ($scheme, $width px) with no serious accessibility violation and no console error', async ({ scheme, width, height, shot }) => {
    // Everything is there with JavaScript off.
    const noScript = await browser.newContext({ colorScheme: scheme, viewport: { width, height }, javaScriptEnabled: false })
    const plain = (await open(noScript, `${cpxd}/`)).page
    expect(plain.url()).toBe(`${cpxd}/trust`)
    expect(await plain.locator('h3').allTextContents()).toEqual(['SOC2 Type II', 'ISO27001 2022'])
    expect(await plain.locator('h1').textContent()).toBe('Northwind Cloud trust center')
    await noScript.close()
    // axe runs as a script in the page.
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width, height } })
    const { page, errors } = await open(context, `${cpxd}/trust`)
    // Nothing is wider than the screen, down to a 360 px phone.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width)
    const results = await new AxeBuilder({ page }).analyze()
    expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([])
    expect(errors).toEqual([])
    await page.screenshot({ path: join(SHOTS, shot), fullPage: true })
    await context.close()
  })

  it('embeds the summary on an allowed origin, and loads a badge in an <img>', async () => {
    const context = await browser.newContext()
    const { page, errors } = await open(context, `${allowed.origin}/`)
    await expect.poll(() => page.locator('cpx-trust-summary .box').getAttribute('data-state')).toBe('ready')
    expect(await page.locator('cpx-trust-summary h2').textContent()).toBe('Northwind Cloud: compliance summary')
    expect(await page.locator('cpx-trust-summary li').allTextContents()).toEqual(['SOC2Compliant, 100%', 'ISO27001Partially compliant, 93%'])
    expect(await page.evaluate<number>('document.getElementById("badge").naturalWidth')).toBeGreaterThan(0)
    expect(errors).toEqual([])
    await context.close()
  })

  it('shows "not allowed" on an origin cpxd does not allow, where the browser blocks the read', async () => {
    const context = await browser.newContext()
    const { page, errors } = await open(context, `${refused.origin}/`)
    await expect.poll(() => page.locator('cpx-trust-summary .box').getAttribute('data-state')).toBe('error')
    expect(await page.locator('cpx-trust-summary p').textContent()).toBe(`Not allowed: ${cpxd} does not let ${refused.origin} show its compliance summary.`)
    expect(errors.some((error) => error.includes('blocked by CORS policy'))).toBe(true)
    // The host page itself still works: its badge loads.
    expect(await page.evaluate<number>('document.getElementById("badge").naturalWidth')).toBeGreaterThan(0)
    await context.close()
  })
})
