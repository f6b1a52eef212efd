import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { writeProject } from '../helpers/build.ts'
import { startServer } from '../helpers/process.ts'

describe('the application log of the real process', () => {
  it('is JSON on a pipe, and human-readable lines with log.pretty', async () => {
    const json = await startServer(writeProject([]).config)
    json.child.kill('SIGTERM')
    await json.exited
    expect(json.stderr()).toMatch(/^\{"level":30,"time":\d+,.*"msg":"posture loaded"\}$/m)

    const { config } = writeProject(['log: { pretty: true }'])
    const pretty = await startServer(config, {}, { ready: false })
    for (let i = 0; i < 200 && !pretty.stderr().includes('posture loaded'); i++) await sleep(25)
    pretty.child.kill('SIGTERM')
    await pretty.exited
    expect(pretty.stderr()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: posture loaded$/m)
    expect(pretty.stderr()).not.toContain('{"level"')
  })
})
