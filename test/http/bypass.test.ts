import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildListening, KEYS, type TestApp } from '../helpers/build.ts'
import { rawGet, rawRequest, type RawAnswer } from '../helpers/raw-http.ts'

let t: TestApp
let port: number
beforeAll(async () => {
  ({ port, ...t } = await buildListening({ rate_limit: { max: 100, window: '1m' } }))
})
afterAll(async () => { await t.app.close() })

const get = (path: string, headers?: readonly string[]) => rawGet(port, path, headers)

/**
 * Sends `text` on a connection whose client side never ends, and resolves with what came back
 * once the server has let go of its own end: only the server can close such a connection.
 */
async function answeredWhileHeldOpen (server: TestApp & { port: number }, text: string): Promise<string> {
  // The server's end of the connection, watched from beside cpxd's own listeners.
  const serverSideClosed = new Promise<void>((resolve) => {
    server.app.server.once('connection', (socket: Socket) => { socket.once('close', () => { resolve() }) })
  })
  const socket = connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true })
  socket.on('error', () => {})
  let answer = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk })
  const ended = new Promise<void>((resolve) => socket.once('end', () => { resolve() }))
  socket.write(text)
  await ended
  await serverSideClosed
  socket.destroy()
  return answer
}

/** Went through cpxd: its error shape, a request id, the security headers, and an audit line. */
function expectCpxdAnswer (answer: RawAnswer, status: number, code: string, message: string): void {
  expect(answer.status).toBe(status)
  expect(JSON.parse(answer.body)).toEqual({ error: { code, message, request_id: answer.headers['x-request-id'] } })
  expect(answer.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'")
  expect(answer.headers['x-content-type-options']).toBe('nosniff')
  const line = t.auditLines().find((l) => l.request_id === answer.headers['x-request-id'])
  expect(line).toMatchObject({ status })
}

describe('requests that would skip cpxd', () => {
  it('malformed percent-encoding gets cpxd\'s 400, without echoing the link it came on', async () => {
    expectCpxdAnswer(await get('/cpx/%ff'), 400, 'CPXD_ERR_BAD_REQUEST', 'the request URL is malformed')
    const evidence = await get(`/evidence/acme/x%ff?p=api_key%3Aa&t=auditor&e=1&s=${'S'.repeat(43)}`)
    expectCpxdAnswer(evidence, 400, 'CPXD_ERR_BAD_REQUEST', 'the request URL is malformed')
    expect(JSON.stringify(t.auditLines())).not.toContain('S'.repeat(43))
  })

  it('a tenant id over 512 characters is a 400 from validation, not a 414', async () => {
    expectCpxdAnswer(await get(`/cpx/${'a'.repeat(600)}`, ['Host: cpxd.test', `X-API-Key: ${KEYS.acmeCustomer}`]), 400, 'CPXD_ERR_BAD_REQUEST', 'tenant id must match ^[a-z0-9][a-z0-9-]{0,62}$')
  })

  it('an expectation cpxd cannot meet gets cpxd\'s 417', async () => {
    expectCpxdAnswer(await get('/cpx', ['Host: cpxd.test', 'Expect: 999-x']), 417, 'CPXD_ERR_EXPECTATION_FAILED', 'cpxd meets no expectation but 100-continue')
  })

  it('a request line of another HTTP version than 1.0 or 1.1 gets cpxd\'s 400', async () => {
    for (const line of ['GET /cpx HTTP/2.0', 'GET /cpx HTTP/0.9', 'GET /cpx']) {
      const answer = await rawRequest(port, `${line}\r\nHost: cpxd.test\r\nConnection: close\r\n\r\n`)
      expectCpxdAnswer(answer, 400, 'CPXD_ERR_BAD_REQUEST', 'cpxd speaks HTTP/1.1 and HTTP/1.0')
      expect(t.auditLines().at(-1), line).toMatchObject({ reason: 'unsupported_http_version' })
    }
  })

  it('HTTP/1.1 without Host gets cpxd\'s 400', async () => {
    expectCpxdAnswer(await get('/cpx', []), 400, 'CPXD_ERR_BAD_REQUEST', 'an HTTP/1.1 request must carry a Host header')
  })

  it('two Host lines, or a Host that is no host and port, get cpxd\'s 400 (RFC 9112 3.2)', async () => {
    expectCpxdAnswer(await get('/cpx', ['Host: cpxd.test', 'host: other.test']), 400, 'CPXD_ERR_BAD_REQUEST', 'a request must carry one Host header')
    expect(t.auditLines().at(-1)).toMatchObject({ status: 400, reason: 'duplicate_host' })
    for (const host of ['cpxd.test/cpx', 'user@cpxd.test', 'cpxd.test:443:1', 'cpxd test', '[::1', 'cpxd.test:x']) {
      expectCpxdAnswer(await get('/cpx', [`Host: ${host}`]), 400, 'CPXD_ERR_BAD_REQUEST', 'the Host header is not a host with an optional port')
      expect(t.auditLines().at(-1)).toMatchObject({ status: 400, reason: 'invalid_host' })
    }
  })

  it('a second Host or API key cannot hide past the 2,000 header lines Node keeps by default', async () => {
    const roomy = await buildListening({ server: { max_header_size: 64 * 1024 } })
    try {
      const filler = Array.from({ length: 2100 }, () => 'a:')
      const answer = await rawGet(roomy.port, '/cpx', ['Host: cpxd.test', ...filler, 'Host: other.test'])
      expect([answer.status, JSON.parse(answer.body).error.message]).toEqual([400, 'a request must carry one Host header'])
      const credentials = await rawGet(roomy.port, '/cpx/acme', ['Host: cpxd.test', `X-API-Key: ${KEYS.acmeCustomer}`, ...filler, `X-API-Key: ${KEYS.acmeCustomer}`])
      expect(credentials.status).toBe(401)
      expect(roomy.auditLines().at(-1)).toMatchObject({ status: 401, reason: 'duplicate_credentials' })
    } finally {
      await roomy.app.close()
    }
  })

  it('takes every form of Host the RFC allows', async () => {
    for (const host of ['cpxd.test', 'cpxd.test.', 'CPXD.test:8443', '127.0.0.1:8080', '[::1]:8080', '[::1]', 'cpxd_test.example', 'xn--bcher-kva.example', 'a%2Eb']) {
      expect((await get('/cpx', [`Host: ${host}`])).status, host).toBe(200)
    }
    // An empty Host is what a client sends for a target without an authority.
    expect((await get('/cpx', ['Host:'])).status).toBe(200)
    expect((await rawRequest(port, 'GET /cpx HTTP/1.0\r\n\r\n')).status).toBe(200)
  })

  it('CONNECT gets cpxd\'s 405 naming no method, an audit line, and the connection closed', async () => {
    const answer = await rawRequest(port, 'CONNECT cpxd.test:443 HTTP/1.1\r\nHost: cpxd.test:443\r\n\r\n')
    expect(answer.status).toBe(405)
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'CPXD_ERR_METHOD_NOT_ALLOWED', message: 'cpxd is not a proxy: CONNECT is not allowed', request_id: answer.headers['x-request-id'] } })
    expect(answer.headers.allow).toBe('')
    expect(answer.headers.connection).toBe('close')
    expect(answer.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'")
    const line = t.auditLines().find((l) => l.request_id === answer.headers['x-request-id'])
    expect(line).toMatchObject({ event: 'client_error', status: 405, reason: 'connect_method', detail: 'CONNECT' })
  })

  it('a CONNECT client that never closes its side is let go after the keep-alive timeout', async () => {
    const short = await buildListening({ server: { keep_alive_timeout: '1s' } })
    try {
      expect(await answeredWhileHeldOpen(short, 'CONNECT cpxd.test:443 HTTP/1.1\r\nHost: cpxd.test:443\r\n\r\n')).toMatch(/^HTTP\/1\.1 405 /)
    } finally {
      await short.app.close()
    }
  })

  it('a client that never closes its side after a parser refusal is let go after the idle timeout', async () => {
    const short = await buildListening({ server: { request_timeout: '1s', headers_timeout: '1s' } })
    try {
      expect(await answeredWhileHeldOpen(short, 'NOT HTTP\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /)
    } finally {
      await short.app.close()
    }
  })

  it('each of them counts against the client\'s rate limit', async () => {
    const limited = await buildListening({ rate_limit: { max: 2, window: '1m' } })
    try {
      const requests = [['/cpx/%ff'], ['/cpx', ['Host: cpxd.test', 'Expect: 999-x']], ['/cpx', []], ['/cpx/%fe']] as const
      const statuses = []
      for (const [path, headers] of requests) statuses.push((await rawGet(limited.port, path, headers)).status)
      expect(statuses).toEqual([400, 417, 429, 429])
    } finally {
      await limited.app.close()
    }
  })
})

describe('a body on a route that reads none', () => {
  it('a chunked body cannot get past the body limit: cpxd reads at most the limit, then closes', async () => {
    const socket = connect(port, '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('connect', () => { resolve() }))
    let answer = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk })
    const closed = new Promise<void>((resolve) => socket.once('close', () => { resolve() }))
    socket.on('error', () => {})
    socket.write('GET /cpx HTTP/1.1\r\nHost: cpxd.test\r\nTransfer-Encoding: chunked\r\n\r\n')
    const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`
    let sent = 0
    // 4 MiB offered, 16 KiB at a time: far past the 16 KiB limit.
    for (let i = 0; i < 256 && !socket.destroyed && socket.writable; i++) {
      if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed])
      sent += 0x4000
    }
    await closed
    expect(answer).toMatch(/^HTTP\/1\.1 200 /)
    expect(answer.toLowerCase()).toContain('connection: close')
    expect(sent).toBeLessThan(4 * 1024 * 1024)
  })
})

describe('pipelined requests, then garbage', () => {
  it('the client receives every answer the audit log records, then the 400', async () => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk })
    socket.on('error', () => {})
    const closed = new Promise<void>((resolve) => socket.once('close', () => { resolve() }))
    socket.write('GET /cpx HTTP/1.1\r\nHost: cpxd.test\r\n\r\nGET /healthz HTTP/1.1\r\nHost: cpxd.test\r\n\r\nNOT HTTP AT ALL\r\n\r\n')
    await closed
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]))
    expect(statuses).toEqual([200, 200, 400])
    const ids = [...answer.matchAll(/x-request-id: ([0-9a-f-]+)/gi)].map((match) => match[1])
    const lines = t.auditLines().filter((l) => ids.includes(l.request_id as string))
    expect(lines.map((l) => l.status)).toEqual([200, 200, 400])
  })
})
