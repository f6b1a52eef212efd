import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts'
import { writeProject } from '../helpers/build.ts'
import { jsonLines } from '../helpers/json-lines.ts'
import { runEntry, startServer } from '../helpers/process.ts'

const CLIENTS = 200

interface Answer {
  readonly status: number
  readonly requestId: string | undefined
  readonly declaredLength: number
  readonly receivedLength: number
  readonly complete: boolean
}

/** One GET; resolves with what arrived, or undefined when no answer began (refused, reset). */
function get (agent: Agent, port: number, path: string, headers: Record<string, string>): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      let received = 0
      res.on('data', (chunk: Buffer) => { received += chunk.length })
      const finish = (complete: boolean) => resolve({
        status: res.statusCode ?? 0,
        requestId: res.headers['x-request-id'] as string | undefined,
        declaredLength: Number(res.headers['content-length']),
        receivedLength: received,
        complete
      })
      res.on('end', () => { finish(res.complete) })
      res.on('aborted', () => { finish(false) })
      res.on('error', () => { finish(false) })
    })
    req.on('error', () => { resolve(undefined) })
    req.end()
  })
}

describe('graceful shutdown of the real process under load', () => {
  it(`finishes what it accepted during ${CLIENTS} concurrent clients, audits every answer, cuts none, and exits 0`, async () => {
    const key = generateApiKey()
    const { dir, config } = writeProject([
      'rate_limit: { max: 1000000, window: 1m, max_in_flight: 1000 }',
      'auth:',
      '  api_keys:',
      `    - { id: load, hash: "${hashApiKey(key)}", tier: auditor, tenants: [acme] }`
    ])
    const server = await startServer(config)
    const port = Number(new URL(server.baseUrl).port)
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })
    const answers: Answer[] = []
    const state = { stopped: false, signalled: false }
    // Each client asks again as soon as it is answered, until the server stops answering.
    const client = async (n: number) => {
      while (!state.stopped) {
        const answer = await get(agent, port, n % 2 === 0 ? '/cpx' : '/cpx/acme', n % 2 === 0 ? {} : { 'x-api-key': key })
        if (answer === undefined) {
          if (state.signalled) return
          continue
        }
        answers.push(answer)
        if (answers.length === 2000 && !state.signalled) {
          state.signalled = true
          server.child.kill('SIGTERM')
        }
      }
    }
    const clients = Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)))
    const code = await server.exited
    state.stopped = true
    await clients
    agent.destroy()

    expect(code).toBe(0)
    expect(answers.length).toBeGreaterThanOrEqual(2000)
    expect(answers.filter((a) => !a.complete || a.receivedLength !== a.declaredLength)).toEqual([])
    expect(answers.filter((a) => a.requestId === undefined)).toEqual([])
    const audited = new Set(jsonLines(join(dir, 'audit.log')).map((line) => line.request_id))
    expect(answers.filter((a) => !audited.has(a.requestId))).toEqual([])
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200, ...answers.some((a) => a.status === 503) ? [503] : []]))
    expect(server.stderr()).toContain('"signal":"SIGTERM"')
    expect(runEntry('cli/index.js', ['audit', 'verify', '--config', config]).status).toBe(0)
  })
})
