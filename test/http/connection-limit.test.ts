import { readFileSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { writeProject } from '../helpers/build.ts'
import { startServer } from '../helpers/process.ts'

/** A keep-alive connection that has had one answer, so the server holds it open. */
async function heldConnection (port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  let answer = ''
  await new Promise<void>((resolve) => {
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      answer += chunk
      if (answer.includes('"status":"ok"')) resolve()
    })
    socket.write('GET /healthz HTTP/1.1\r\nHost: cpxd.test\r\n\r\n')
  })
  return socket
}

/** What a new connection gets for one request before it is closed: an answer, or nothing. */
async function tryRequest (port: number): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  let answer = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk })
  socket.write('GET /healthz HTTP/1.1\r\nHost: cpxd.test\r\nConnection: close\r\n\r\n')
  await new Promise<void>((resolve) => socket.once('close', () => { resolve() }))
  return answer
}

describe('server.max_connections', () => {
  it('closes connections past the cap as they arrive, says so once in the log, and serves again once one closes', async () => {
    const { config } = writeProject([])
    writeFileSync(config, readFileSync(config, 'utf8').replace('server: { host: 127.0.0.1, port: 0 }', 'server: { host: 127.0.0.1, port: 0, max_connections: 2 }'))
    const server = await startServer(config)
    try {
      const port = Number(new URL(server.baseUrl).port)
      const held = [await heldConnection(port), await heldConnection(port)]
      const logged = server.nextLog('refusing new connections: server.max_connections (2) are open')
      expect(await tryRequest(port)).toBe('')
      expect(await tryRequest(port)).toBe('')
      await logged
      expect(server.stderr().match(/refusing new connections/g)).toHaveLength(1)

      const first = held[0] as Socket
      first.destroy()
      // The server learns of the close a moment later; until then it still counts the connection.
      let answer = ''
      for (let i = 0; i < 40 && answer === ''; i++) {
        answer = await tryRequest(port)
        if (answer === '') await sleep(25)
      }
      expect(answer).toMatch(/^HTTP\/1\.1 200 /)
      held[1]?.destroy()
    } finally {
      server.child.kill('SIGTERM')
      await server.exited
    }
  })
})
