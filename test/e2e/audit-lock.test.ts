import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeProject } from '../helpers/build.ts'
import { runEntry, startServer } from '../helpers/process.ts'

describe('one audit file, one writer', () => {
  it('refuses a second server on the same audit file before it writes a line, naming the holder, and the chain stays whole', async () => {
    const { dir, config } = writeProject([])
    const first = await startServer(config)
    try {
      for (let i = 0; i < 3; i++) await (await fetch(`${first.baseUrl}/cpx`)).arrayBuffer()
      // Port 0 gives the second its own port: only the audit file is shared.
      const second = runEntry('server.js', ['--config', config])
      expect(second.status).toBe(2)
      expect(second.stderr).toBe(`cpxd: ${config}: audit.file: ${join(dir, 'audit.log')} is being written by another cpxd (pid ${first.child.pid ?? 0}); two processes must never write one audit file\n`)
      for (let i = 0; i < 3; i++) await (await fetch(`${first.baseUrl}/cpx`)).arrayBuffer()
    } finally {
      first.child.kill('SIGTERM')
      await first.exited
    }
    const verify = runEntry('cli/index.js', ['audit', 'verify', '--config', config])
    // The first server's opening line and its six answers; nothing from the second.
    expect(verify.stdout).toContain('ok: 7 lines, seq 1-7,')
    expect(verify.status).toBe(0)
    // The lock died with its holder: the next start takes it.
    const again = await startServer(config)
    again.child.kill('SIGTERM')
    expect(await again.exited).toBe(0)
  })
})
