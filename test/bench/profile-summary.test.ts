import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scratchDir } from '../helpers/tmp.ts'

const SCRIPT = join(import.meta.dirname, '..', '..', 'bench', 'profile-summary.ts')

function frame (id: number, functionName: string, url: string, children: number[] = []) {
  return { id, callFrame: { functionName, url, lineNumber: 0 }, children }
}

/**
 * Eight samples a second apart: two idle during start-up, then one each in Fastify, cpxd's audit
 * folder, Node's HTTP code and the garbage collector, two in a system call made from cpxd's code.
 */
const PROFILE = {
  nodes: [
    frame(1, '(root)', '', [2, 3, 4, 7, 8]),
    frame(2, '(idle)', ''),
    frame(3, 'routeHandler', 'file:///srv/cpxd/node_modules/fastify/lib/route.js'),
    frame(4, 'seal', 'file:///srv/cpxd/src/audit/audit-chain.ts', [5, 6]),
    frame(5, 'writeBuffer', ''),
    frame(6, 'processHeader', 'node:_http_outgoing'),
    frame(7, '(garbage collector)', ''),
    frame(8, 'hit', 'file:///srv/cpxd/src/http/window-counter.ts')
  ],
  samples: [2, 2, 3, 4, 5, 5, 6, 7],
  timeDeltas: [0, 1e6, 1e6, 1e6, 1e6, 1e6, 1e6, 1e6]
}

function summary (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const file = join(scratchDir({ 'case.cpuprofile': JSON.stringify(PROFILE) }), 'case.cpuprofile')
  const run = spawnSync(process.execPath, [SCRIPT, file, ...args], { encoding: 'utf8' })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('bench/profile-summary.ts', () => {
  it('gives self time by function as shares of every sample', () => {
    expect(summary('3').stdout).toBe([
      ' 25.0%  (idle) :1',
      ' 25.0%  writeBuffer :1',
      ' 12.5%  routeHandler route.js:1'
    ].join('\n') + '\n')
  })

  it('leaves out idle samples with --busy and samples before --from', () => {
    // From 2 s on: routeHandler, seal, writeBuffer twice, processHeader, the collector; none idle.
    expect(summary('2', '--busy', '--from=2').stdout).toBe([
      ' 33.3%  writeBuffer :1',
      ' 16.7%  routeHandler route.js:1'
    ].join('\n') + '\n')
    expect(summary('1', '--from=3').stdout).toBe(' 40.0%  writeBuffer :1\n')
  })

  it('groups self time by owner with --packages, and time inside callers with --total', () => {
    expect(summary('10', '--busy', '--packages').stdout).toBe([
      ' 33.3%  native',
      ' 16.7%  fastify',
      ' 16.7%  cpxd src/audit',
      ' 16.7%  node',
      ' 16.7%  (garbage collector)'
    ].join('\n') + '\n')
    // The system call and the header code were called from cpxd's audit folder.
    expect(summary('1', '--busy', '--packages', '--total').stdout).toBe(' 66.7%  cpxd src/audit\n')
  })

  it('refuses an unknown option and a period with no samples', () => {
    const unknown = summary('--self')
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toContain('unknown option --self; usage: node bench/profile-summary.ts FILE.cpuprofile')
    const late = summary('--from=60')
    expect(late.status).toBe(1)
    expect(late.stderr).toContain('no samples in')
  })
})
