import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeProject } from '../helpers/build.ts'
import { startServer } from '../helpers/process.ts'
import { scratchDir } from '../helpers/tmp.ts'

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'audit-log.md')

/** The "verifying without cpxd" snippet, exactly as docs/audit-log.md prints it. */
function snippet (): string {
  const match = /```js\n(\/\/ verify-audit\.mjs[\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'))
  if (match?.[1] === undefined) throw new Error('docs/audit-log.md has no verify-audit.mjs snippet')
  return match[1]
}

describe('docs/audit-log.md', () => {
  it('gives a stand-alone verifier that accepts a log the real server wrote and catches an edit', async () => {
    const { dir, config } = writeProject([])
    const server = await startServer(config)
    for (const path of ['/cpx', '/cpx/acme', '/nope']) await (await fetch(`${server.baseUrl}${path}`)).arrayBuffer()
    server.child.kill('SIGTERM')
    await server.exited
    const script = join(scratchDir(), 'verify-audit.mjs')
    writeFileSync(script, snippet())
    const run = () => spawnSync(process.execPath, [script, join(dir, 'audit.key'), join(dir, 'audit.log')], { encoding: 'utf8' })
    const intact = run()
    expect(intact.stdout).toBe('chain intact up to seq 4\n')
    expect(intact.status).toBe(0)
    const log = join(dir, 'audit.log')
    writeFileSync(log, readFileSync(log, 'utf8').replace('"path":"/nope"', '"path":"/cpx"'))
    const edited = run()
    expect(edited.stdout).toBe('line 4: the chain breaks here\n')
    expect(edited.status).toBe(1)
  })
})
