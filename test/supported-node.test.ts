import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { REQUIRED_NODE_MAJOR, unsupportedNodeMessage } from '../src/supported-node.ts'
import { distEntry } from './helpers/process.ts'

/** Runs a built entry point on this Node, made to report `version` before anything else loads. */
function runAs (version: string, entry: string, args: string[]) {
  const pretend = `data:text/javascript,Object.defineProperty(process.versions, "node", { value: ${JSON.stringify(version)} })`
  return spawnSync(process.execPath, ['--import', pretend, distEntry(entry), ...args], { encoding: 'utf8', timeout: 20_000 })
}

/** Older Node binaries on this machine (Debian's, say), to try the real thing when there is one. */
function olderNodes (): string[] {
  const found = spawnSync('sh', ['-c', 'which -a node nodejs 2>/dev/null'], { encoding: 'utf8' }).stdout.split('\n').filter((p) => p !== '')
  return [...new Set(found)].filter((binary) => {
    const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '')
    return Number(version.split('.')[0]) < REQUIRED_NODE_MAJOR
  })
}

describe('the Node version', () => {
  it('names the Node found and the one needed, and accepts 24 and later', () => {
    expect(unsupportedNodeMessage('20.20.2')).toBe('cpxd: needs Node.js 24 or newer, but this is Node.js 20.20.2')
    expect(unsupportedNodeMessage('23.11.0')).toBe('cpxd: needs Node.js 24 or newer, but this is Node.js 23.11.0')
    expect(unsupportedNodeMessage('24.0.0')).toBeUndefined()
    expect(unsupportedNodeMessage('26.1.0')).toBeUndefined()
  })

  it.each([
    ['server.js', ['--config', 'config/cpxd.yaml']],
    ['cli/index.js', ['check']],
    ['cli/index.js', ['serve']],
    ['cli/index.js', []]
  ])('%s %j exits 2 with one line on an older Node, before loading anything else', (entry, args) => {
    const result = runAs('22.12.0', entry, args)
    expect(result.status).toBe(2)
    expect(result.stderr).toBe('cpxd: needs Node.js 24 or newer, but this is Node.js 22.12.0\n')
    expect(result.stdout).toBe('')
  })

  const older = olderNodes()
  it.skipIf(older.length === 0)('is refused by a real older Node too (Debian\'s nodejs, where installed)', () => {
    for (const binary of older) {
      for (const entry of ['server.js', 'cli/index.js']) {
        const result = spawnSync(binary, [distEntry(entry), 'serve'], { encoding: 'utf8', timeout: 20_000 })
        expect(result.status, `${binary} ${entry}`).toBe(2)
        expect(result.stderr).toMatch(/^cpxd: needs Node\.js 24 or newer, but this is Node\.js \d+\.\d+\.\d+\n$/)
      }
    }
  })
})
