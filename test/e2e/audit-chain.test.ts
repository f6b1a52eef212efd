import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { writeProject } from '../helpers/build.ts'
import { jsonLines } from '../helpers/json-lines.ts'
import { runEntry, startServer, type RunningServer } from '../helpers/process.ts'

async function stop (server: RunningServer): Promise<void> {
  server.child.kill('SIGTERM')
  await server.exited
}

describe('the audit chain of the real process', () => {
  it('continues across restarts and rotation (with a signal, and while stopped), and cpxd audit verify proves it', async () => {
    const { dir, config } = writeProject([])
    const file = join(dir, 'audit.log')
    const hit = async (server: RunningServer, path: string, n: number) => {
      for (let i = 0; i < n; i++) await (await fetch(`${server.baseUrl}${path}`)).arrayBuffer()
    }

    let server = await startServer(config)
    expect(server.stderr()).toContain('created the audit chain key')
    await hit(server, '/cpx', 3)
    await stop(server)

    server = await startServer(config)
    expect(server.stderr()).toMatch(/"seq":4,"file":"[^"]*audit\.log","msg":"audit chain continues"/)
    await hit(server, '/nope', 2)
    renameSync(file, `${file}.1`)
    const reloaded = server.nextLog('posture reloaded')
    server.child.kill('SIGHUP')
    await reloaded
    await hit(server, '/cpx/acme', 2)
    await stop(server)

    // Rotated and compressed while cpxd is down: the next start continues from the newest rotated file.
    writeFileSync(`${file}.1.gz`, gzipSync(readFileSync(`${file}.1`)))
    renameSync(`${file}.1`, join(dir, 'elsewhere.log'))
    renameSync(file, `${file}-20261123`)
    server = await startServer(config)
    await hit(server, '/cpx', 1)
    await stop(server)

    const current = jsonLines(file)
    expect(current[0]).toMatchObject({ event: 'audit_log_opened', reason: 'start', seq: 11, previous: { seq: 10, chain: jsonLines(`${file}-20261123`).at(-1)?.chain } })
    const verify = runEntry('cli/index.js', ['audit', 'verify', '--config', config])
    expect(verify.stderr).toBe('')
    expect(verify.stdout).toContain(`checked 3 files in chain order: ${file}.1.gz, ${file}-20261123, ${file}\n`)
    expect(verify.stdout).toMatch(/\nok: 12 lines, seq 1-12, last chain [0-9a-f]{64}, chain intact\n/)
    expect(verify.status).toBe(0)

    const query = runEntry('cli/index.js', ['audit', 'query', '--config', config, '--status', '4xx', '--table'])
    expect(query.status).toBe(0)
    expect(query.stdout.split('\n').filter((l) => l.includes('/nope'))).toHaveLength(2)
    expect(query.stdout.split('\n').filter((l) => l !== '')).toHaveLength(5)

    const lines = readFileSync(`${file}-20261123`, 'utf8').split('\n')
    lines[1] = (lines[1] as string).replace('"status":401', '"status":200')
    writeFileSync(`${file}-20261123`, lines.join('\n'))
    const tampered = runEntry('cli/index.js', ['audit', 'verify', '--config', config])
    expect(tampered.status).toBe(1)
    expect(tampered.stdout).toContain(`FAILED ${file}-20261123:2: edited: seq 9:`)
  })
})
