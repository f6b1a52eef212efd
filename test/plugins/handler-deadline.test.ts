import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildListening, type TestApp } from '../helpers/build.ts'
import { gatedProxy, type GatedProxy } from '../helpers/gated-proxy.ts'
import { AUDIENCE, ISSUER, makeKey } from '../helpers/jwt.ts'
import { scratchDir } from '../helpers/tmp.ts'

/**
 * An answer that waits on something that never comes: the JWKS behind a proxy that holds every
 * connection, with a JWKS timeout far past the handler's. The caller gets cpxd's 503 once
 * `server.handler_timeout` has passed, and the audit log says why.
 */
describe('server.handler_timeout', () => {
  let t: TestApp & { port: number }
  let jwks: GatedProxy
  let token: string
  beforeAll(async () => {
    // Held until the test ends: nothing listens behind it, and it is never opened.
    jwks = await gatedProxy(1)
    const key = await makeKey()
    token = await new SignJWT({ cpx_tenants: ['acme'] })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('10m')
      .sign(key.privateKey)
    t = await buildListening({
      server: { handler_timeout: '1s' },
      auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, jwks_url: `${jwks.url}/jwks.json`, jwks_timeout: '60s' } }
    })
  })
  afterAll(async () => {
    await t.app.close()
    await jwks.close()
  })

  it('answers 503 handler_timeout in cpxd\'s error shape, with Retry-After and the security headers', async () => {
    const res = await fetch(`http://127.0.0.1:${t.port}/cpx/acme`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'")
    const id = res.headers.get('x-request-id')
    expect(await res.json()).toEqual({ error: { code: 'CPXD_ERR_UNAVAILABLE', message: 'the service is not available, retry later', request_id: id } })
    expect(t.auditLines().find((line) => line.request_id === id)).toMatchObject({ status: 503, reason: 'handler_timeout', path: '/cpx/acme' })
  })

  it('still writes the audit line of a request whose client left while it waited', async () => {
    const client = get({ host: '127.0.0.1', port: t.port, path: '/cpx/acme', headers: { authorization: `Bearer ${token}`, 'user-agent': 'left-early' } })
    client.once('error', () => {})
    // Gone once the whole request is with the server's socket, so the server reads it all.
    await once(client, 'finish')
    client.destroy()
    let line: Record<string, unknown> | undefined
    for (let i = 0; i < 100 && line === undefined; i++) {
      await sleep(50)
      line = t.auditLines().find((entry) => entry.user_agent === 'left-early')
    }
    expect(line).toMatchObject({ status: 503, reason: 'handler_timeout', path: '/cpx/acme' })
  })

  it('leaves answers that do not wait alone, on the same server', async () => {
    const res = await fetch(`http://127.0.0.1:${t.port}/cpx`)
    expect(res.status).toBe(200)
  })
})

/**
 * The deadline is for the answer to start. Evidence an auditor downloads over a slow link streams
 * for as long as the link takes; cutting it off once `handler_timeout` has passed would make a
 * large report impossible to fetch over a slow connection.
 */
describe('server.handler_timeout and a download under way', () => {
  // Far more than loopback's socket buffers hold, so the file is still streaming while the reader waits.
  const report = randomBytes(48 * 1024 * 1024)
  let t: TestApp & { port: number }
  beforeAll(async () => {
    const root = scratchDir()
    writeFileSync(join(root, 'report.bin'), report)
    const posture = scratchDir({
      '_default.yaml': [
        'frameworks: [{ name: SOC2, status: compliant, score: 1 }]',
        'evidence:',
        '  - { id: soc2-report, description: SOC 2 report, backend: local, location: report.bin, public: true }'
      ].join('\n')
    })
    t = await buildListening({ server: { handler_timeout: '1s' }, posture_dir: posture, evidence: { local_root: root, cache_dir: join(scratchDir(), 'cache') } })
  })
  afterAll(async () => { await t.app.close() })

  it('is not cut off when the reader is slower than the deadline', async () => {
    const refs = (await t.app.inject('/cpx?profile=full')).json().evidence_refs as Array<{ url: string }>
    const link = new URL(refs[0]?.url as string)
    const received = await new Promise<{ status: number, bytes: Buffer }>((resolve, reject) => {
      get({ host: '127.0.0.1', port: t.port, path: `${link.pathname}${link.search}` }, (res) => {
        const chunks: Buffer[] = []
        res.once('data', (first: Buffer) => {
          chunks.push(first)
          // A reader that stops for longer than the deadline, with the answer half sent.
          res.pause()
          void sleep(2500).then(() => {
            res.on('data', (chunk: Buffer) => chunks.push(chunk))
            res.resume()
          })
        })
        res.once('end', () => { resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }) })
        res.once('error', reject)
        res.once('aborted', () => { reject(new Error(`the download was cut off after ${Buffer.concat(chunks).length} bytes`)) })
      }).once('error', reject)
    })
    expect(received.status).toBe(200)
    expect(received.bytes.length).toBe(report.length)
    expect(createHash('sha256').update(received.bytes).digest('hex')).toBe(createHash('sha256').update(report).digest('hex'))
  })
})
