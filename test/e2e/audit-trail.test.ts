import { renameSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeProject } from '../helpers/build.ts'
import { jsonLines } from '../helpers/json-lines.ts'
import { startServer } from '../helpers/process.ts'

describe('the audit trail of the real process', () => {
  it('has a line for every answered request, even when the process is killed right after the last one', async () => {
    const { dir, config } = writeProject(['rate_limit: { max: 1000, window: 1m }'])
    const server = await startServer(config)
    const ids: string[] = []
    const urls = ['/cpx', '/cpx/acme', '/nope', '/cpx?format=xml', '/healthz']
    for (let i = 0; i < 40; i++) ids.push((await fetch(`${server.baseUrl}${urls[i % urls.length] as string}`)).headers.get('x-request-id') as string)
    const burst = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.baseUrl}/cpx`)))
    for (const res of burst) ids.push(res.headers.get('x-request-id') as string)
    server.child.kill('SIGKILL')
    await server.exited
    const logged = new Set(jsonLines(join(dir, 'audit.log')).map((l) => l.request_id))
    expect(ids.filter((id) => !logged.has(id))).toEqual([])
    expect(ids).toHaveLength(60)
  })

  it('loses nothing across logrotate-style rotation (rename, then SIGHUP)', async () => {
    const { dir, config } = writeProject([])
    const server = await startServer(config)
    const file = join(dir, 'audit.log')
    const ids: string[] = []
    const hit = async () => { ids.push((await fetch(`${server.baseUrl}/cpx`)).headers.get('x-request-id') as string) }
    for (let i = 0; i < 5; i++) await hit()
    renameSync(file, `${file}.1`)
    for (let i = 0; i < 3; i++) await hit()
    const reloaded = server.nextLog('posture reloaded')
    server.child.kill('SIGHUP')
    await reloaded
    for (let i = 0; i < 5; i++) await hit()
    server.child.kill('SIGTERM')
    await server.exited
    const rotated = jsonLines(`${file}.1`).map((l) => l.request_id)
    const current = jsonLines(file).map((l) => l.request_id)
    expect([...rotated, ...current].filter((id) => ids.includes(id as string))).toHaveLength(13)
    expect(rotated).toEqual(expect.arrayContaining(ids.slice(0, 5)))
    expect(current).toEqual(expect.arrayContaining(ids.slice(8)))
  })
})
