import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeProject } from '../helpers/build.ts'
import { runEntry, startServer } from '../helpers/process.ts'

describe('the audit log on stdout', () => {
  it('writes sealed lines to stdout, apart from the application log on stderr, and they verify', async () => {
    const { dir, config } = writeProject([])
    const keyFile = join(dir, 'keys', 'audit.key')
    const server = await startServer(config, { CPXD_AUDIT_FILE: '-', CPXD_AUDIT_KEY_FILE: keyFile })
    for (const path of ['/cpx', '/cpx/acme', '/nope']) await (await fetch(`${server.baseUrl}${path}`)).arrayBuffer()
    server.child.kill('SIGTERM')
    await server.exited
    const lines = server.stdout().split('\n').filter((l) => l !== '')
    expect(lines.map((l) => (JSON.parse(l) as { log: string, event: string, seq: number })).map((l) => [l.log, l.event, l.seq])).toEqual([
      ['audit', 'audit_log_opened', 1], ['audit', 'posture_read', 2], ['audit', 'posture_read', 3], ['audit', 'http_request', 4]
    ])
    expect(server.stderr()).not.toContain('"log":"audit"')
    const shipped = join(dir, 'shipped.log')
    writeFileSync(shipped, server.stdout())
    const verify = runEntry('cli/index.js', ['audit', 'verify', '--key-file', keyFile, shipped])
    expect(verify.stdout).toContain('ok: 4 lines, seq 1-4')
    expect(verify.status).toBe(0)
  })

  it('refuses to start without a named key, since there is no folder to keep one in (exit 2)', async () => {
    const { config } = writeProject([])
    const result = runEntry('server.js', ['--config', config], { CPXD_AUDIT_FILE: '-' })
    expect(result.status).toBe(2)
    expect(result.stderr).toBe(`cpxd: ${config}: audit.key_file: set audit.key_file or audit.key_env: with audit.file "-" there is no folder to keep a generated key in\n`)
  })
})
