import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, type TestApp } from '../helpers/build.ts'

let t: TestApp
let port: number
beforeAll(async () => {
  t = await build({ server: { max_header_size: 4096, request_timeout: '2s', headers_timeout: '1s' } })
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  port = (t.app.server.address() as { port: number }).port
})
afterAll(async () => { await t.app.close() })

/** Sends raw bytes and collects whatever the server answers until it closes the socket. */
function raw (request: string, hold = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => { answer += chunk })
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
    socket.write(request)
    if (!hold) socket.on('drain', () => {})
  })
}

function bodyOf (answer: string): Record<string, any> {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))
}

describe('connection limits over real HTTP', () => {
  it('answers oversize headers with 431, the error body and the security headers', async () => {
    const answer = await raw(`GET /cpx HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`)
    expect(answer).toMatch(/^HTTP\/1\.1 431 /)
    expect(answer).toContain("Content-Security-Policy: default-src 'none';frame-ancestors 'none'")
    expect(answer).toContain('X-Content-Type-Options: nosniff')
    expect(bodyOf(answer).error).toMatchObject({ code: 'CPXD_ERR_HEADERS_TOO_LARGE', message: 'request headers are too large' })
    const line = t.auditLines().find((l) => l.event === 'client_error' && l.status === 431)
    expect(line).toMatchObject({ client_ip: '127.0.0.1', reason: 'HPE_HEADER_OVERFLOW' })
  })

  it('answers a malformed request line with 400 in the same shape', async () => {
    const answer = await raw('BREW /cpx HTCPCP/1.0\r\n\r\n')
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    expect(bodyOf(answer).error.code).toBe('CPXD_ERR_BAD_REQUEST')
  })

  it('drops a client that sends its headers too slowly with 408', async () => {
    const answer = await raw('GET /cpx HTTP/1.1\r\nHost: x\r\n', true)
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(bodyOf(answer).error.code).toBe('CPXD_ERR_REQUEST_TIMEOUT')
  })
})
