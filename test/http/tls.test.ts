import { request } from 'node:https'
import { connect as netConnect } from 'node:net'
import { connect, type SecureVersion } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, buildListening, KEYS, type TestApp } from '../helpers/build.ts'
import { rawGet, rawRequest } from '../helpers/raw-http.ts'
import { startupErrorFrom } from '../helpers/startup-error.ts'
import { makeCertificate, opensslAvailable, type TestCertificate } from '../helpers/tls.ts'
import { readTlsPair } from '../../src/config/secrets.ts'
import { freePort } from '../helpers/free-port.ts'

let certificate: TestCertificate
let t: TestApp & { port: number }
beforeAll(async () => {
  if (!opensslAvailable) return
  certificate = makeCertificate()
  t = await buildListening({ server: { tls: { cert_file: certificate.certFile, key_file: certificate.keyFile } } })
})
afterAll(async () => { await t?.app.close() })

/** A real handshake limited to one protocol version: the version agreed, or the error's code. */
function handshake (version: SecureVersion): Promise<string> {
  return new Promise((resolve) => {
    // SECLEVEL=0 lets this client offer the old versions, so a refusal is the server's own alert.
    const socket = connect({ host: '127.0.0.1', port: t.port, ca: certificate.cert, servername: 'localhost', minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0', ALPNProtocols: ['h2', 'http/1.1'] })
    socket.once('secureConnect', () => {
      resolve(`${socket.getProtocol() ?? '?'} ${socket.alpnProtocol === false ? 'no-alpn' : socket.alpnProtocol}`)
      socket.end()
    })
    socket.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? 'error') })
  })
}

/** Sends `text` over a TLS connection and reads until the server closes it. */
function rawTls (port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: certificate.cert, servername: 'localhost' }, () => { socket.write(text) })
    let answer = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk })
    socket.once('close', () => { resolve(answer) })
    socket.once('error', reject)
  })
}

function httpsGet (path: string, headers: Record<string, string> = {}): Promise<{ status: number, headers: Record<string, unknown>, body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: t.port, path, headers, ca: certificate.cert, servername: 'localhost' }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk }).on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
    }).on('error', reject).end()
  })
}

describe.skipIf(!opensslAvailable)('HTTPS in the process', () => {
  it('refuses TLS 1.0 and 1.1, and speaks TLS 1.2 and 1.3 with HTTP/1.1 only', async () => {
    const matrix = Object.fromEntries(await Promise.all((['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const).map(async (v) => [v, await handshake(v)])))
    console.info(`TLS handshakes: ${JSON.stringify(matrix)}`)
    expect(matrix['TLSv1.2']).toBe('TLSv1.2 http/1.1')
    expect(matrix['TLSv1.3']).toBe('TLSv1.3 http/1.1')
    expect(matrix.TLSv1).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')
    expect(matrix['TLSv1.1']).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')
  })

  it('holds HTTPS to the server\'s own limits: Host, header size and header time are cpxd\'s', async () => {
    const strict = await buildListening({ server: { tls: { cert_file: certificate.certFile, key_file: certificate.keyFile }, max_header_size: 4096, headers_timeout: '1s', request_timeout: '1s' } })
    try {
      const noHost = await rawTls(strict.port, 'GET /cpx HTTP/1.1\r\nConnection: close\r\n\r\n')
      expect(noHost).toMatch(/^HTTP\/1\.1 400 /)
      expect(noHost).toContain('"message":"an HTTP/1.1 request must carry a Host header"')
      const oversize = await rawTls(strict.port, `GET /cpx HTTP/1.1\r\nHost: cpxd.test\r\nX-Filler: ${'x'.repeat(5000)}\r\nConnection: close\r\n\r\n`)
      expect(oversize).toMatch(/^HTTP\/1\.1 431 /)
      // Headers that never end: answered 408 at headers_timeout, not at Node's own minute.
      const slow = await rawTls(strict.port, 'GET /cpx HTTP/1.1\r\nHost: cpxd.test\r\n')
      expect(slow).toMatch(/^HTTP\/1\.1 408 /)
      expect(strict.auditLines().filter((l) => l.status === 431 || l.status === 408).map((l) => l.event)).toEqual(['client_error', 'client_error'])
    } finally {
      await strict.app.close()
    }
  })

  it('closes a connection whose TLS handshake does not arrive within headers_timeout', async () => {
    const slow = await buildListening({ server: { tls: { cert_file: certificate.certFile, key_file: certificate.keyFile }, headers_timeout: '1s' } })
    try {
      // A plain TCP connection that never sends its ClientHello: without a handshake deadline,
      // Node's own is two minutes, so a few thousand of them would hold every connection slot.
      const socket = netConnect(slow.port, '127.0.0.1')
      socket.on('error', () => {})
      await new Promise<void>((resolve) => socket.once('close', () => { resolve() }))
      expect(socket.bytesRead).toBe(0)
      // Not a request: nothing to audit.
      expect(slow.auditLines().filter((l) => l.event === 'client_error')).toEqual([])
    } finally {
      await slow.app.close()
    }
  })

  it('sends HSTS over HTTPS, and evidence links on https', async () => {
    const res = await httpsGet('/cpx')
    expect(res.status).toBe(200)
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
    const auditor = await httpsGet('/cpx/acme', { 'x-api-key': KEYS.auditorAll })
    expect(auditor.body).toMatch(/"url":"https:\/\/127\.0\.0\.1:\d+\/evidence\/acme\//)
  })

  it('sends no HSTS over plain HTTP, unless a trusted proxy says the client came over HTTPS', async () => {
    const plain = await build()
    const proxied = await build({ server: { trust_proxy: ['10.0.0.0/8'] } })
    try {
      expect((await plain.app.inject('/cpx')).headers['strict-transport-security']).toBeUndefined()
      const viaProxy = await proxied.app.inject({ url: '/cpx', remoteAddress: '10.0.0.2', headers: { 'x-forwarded-proto': 'https' } })
      expect(viaProxy.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
      const spoofed = await proxied.app.inject({ url: '/cpx', remoteAddress: '192.0.2.9', headers: { 'x-forwarded-proto': 'https' } })
      expect(spoofed.headers['strict-transport-security']).toBeUndefined()
    } finally {
      await plain.app.close()
      await proxied.app.close()
    }
  })

  it('behind a trusted TLS proxy, hands out links on server.public_url, never on a forwarded host', async () => {
    const proxied = await build({ server: { trust_proxy: ['10.0.0.0/8'], public_url: 'https://trust.example.com' } })
    try {
      const res = await proxied.app.inject({
        url: '/cpx/acme',
        remoteAddress: '10.0.0.2',
        headers: { 'x-api-key': KEYS.auditorAll, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', 'x-forwarded-for': '203.0.113.5' }
      })
      expect(res.statusCode).toBe(200)
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
      expect(res.body).toMatch(/"url":"https:\/\/trust\.example\.com\/evidence\/acme\//)
      expect(res.body).not.toContain('evil.example')
      expect(proxied.auditLines().at(-1)).toMatchObject({ client_ip: '203.0.113.5' })
    } finally {
      await proxied.app.close()
    }
  })

  it('refuses at start a certificate and key that do not belong together', () => {
    const other = makeCertificate('other')
    const err = startupErrorFrom(() => readTlsPair({ cert_file: certificate.certFile, key_file: other.keyFile }, 'cpxd.yaml'))
    expect(err).toMatchObject({ file: 'cpxd.yaml', path: 'server.tls' })
    expect(err.reason).toMatch(/^the certificate and key cannot be used together \(/)
    expect(startupErrorFrom(() => readTlsPair({ cert_file: '/nonexistent.pem', key_file: other.keyFile }, 'cpxd.yaml'))).toMatchObject({ path: 'server.tls.cert_file', reason: '/nonexistent.pem cannot be read' })
  })

  it('sends plain-HTTP clients to HTTPS on http_redirect_port (308, same path and query), answers /healthz there, and audits both', async () => {
    const redirectPort = await freePort()
    const app = await buildListening({ server: { tls: { cert_file: certificate.certFile, key_file: certificate.keyFile }, http_redirect_port: redirectPort } })
    try {
      const moved = await rawGet(redirectPort, '/cpx/acme?format=yaml', ['Host: trust.example.test:8080'])
      expect(moved.status).toBe(308)
      expect(moved.headers.location).toBe(`https://trust.example.test:${app.port}/cpx/acme?format=yaml`)
      expect(moved.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'")
      expect(moved.headers['strict-transport-security']).toBeUndefined()
      const health = await rawGet(redirectPort, '/healthz', ['Host: trust.example.test'])
      expect([health.status, health.body]).toEqual([200, '{"status":"ok"}'])
      const noHost = await rawRequest(redirectPort, 'GET /cpx HTTP/1.0\r\n\r\n')
      expect(noHost.status).toBe(400)
      const lines = app.auditLines().filter((l) => l.event === 'http_redirect')
      expect(lines.map((l) => [l.path, l.status])).toEqual([['/cpx/acme', 308], ['/healthz', 200], ['/cpx', 400]])
    } finally {
      await app.app.close()
    }
  })

  it('holds the plain listener to the server\'s limits, and answers what its parser refuses, and CONNECT, in cpxd\'s shape with an audit line', async () => {
    const redirectPort = await freePort()
    const app = await buildListening({ server: { tls: { cert_file: certificate.certFile, key_file: certificate.keyFile }, http_redirect_port: redirectPort, max_header_size: 4096 } })
    try {
      // Held to the server's own limits, and HTTP/1.1 without Host is cpxd's to refuse.
      const noHost = await rawRequest(redirectPort, 'GET /cpx HTTP/1.1\r\nConnection: close\r\n\r\n')
      expect([noHost.status, JSON.parse(noHost.body).error.message]).toEqual([400, 'the Host header is missing or not a host name'])
      const twoHosts = await rawGet(redirectPort, '/healthz', ['Host: cpxd.test', 'Host: other.test'])
      expect([twoHosts.status, twoHosts.headers.location]).toEqual([400, undefined])
      const http2 = await rawRequest(redirectPort, 'GET /cpx HTTP/2.0\r\nHost: cpxd.test\r\nConnection: close\r\n\r\n')
      expect([http2.status, http2.headers.location]).toEqual([400, undefined])
      const oversize = await rawGet(redirectPort, '/cpx', ['Host: cpxd.test', `X-Filler: ${'x'.repeat(5000)}`])
      expect([oversize.status, JSON.parse(oversize.body).error.code]).toEqual([431, 'CPXD_ERR_HEADERS_TOO_LARGE'])
      const garbage = await rawRequest(redirectPort, 'NOT HTTP\r\n\r\n')
      const connect = await rawRequest(redirectPort, 'CONNECT cpxd.test:443 HTTP/1.1\r\nHost: cpxd.test:443\r\n\r\n')
      expect([garbage.status, JSON.parse(garbage.body).error.code]).toEqual([400, 'CPXD_ERR_BAD_REQUEST'])
      expect([connect.status, JSON.parse(connect.body).error.code, connect.headers.allow]).toEqual([405, 'CPXD_ERR_METHOD_NOT_ALLOWED', ''])
      for (const answer of [garbage, connect]) {
        expect(answer.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'")
        expect(answer.headers['strict-transport-security']).toBeUndefined()
        expect(app.auditLines().find((l) => l.request_id === answer.headers['x-request-id'])).toMatchObject({ event: 'client_error', status: answer.status })
      }
    } finally {
      await app.app.close()
    }
  })
})
