import { spawn, spawnSync } from 'node:child_process'
import { closeSync, constants, openSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeAll } from '../../src/fs/write-all.ts'
import { scratchDir } from '../helpers/tmp.ts'

/** A FIFO whose write end is non-blocking, like stdout piped to a collector; our own read end keeps it open. */
function nonBlockingPipe (): { fifo: string, readFd: number, writeFd: number } {
  const fifo = join(scratchDir(), 'pipe')
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
  const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
  const writeFd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
  return { fifo, readFd, writeFd }
}

describe('writeAll', () => {
  it('waits for a slow reader of a full pipe, and writes everything', async () => {
    const { fifo, readFd, writeFd } = nonBlockingPipe()
    const data = Buffer.alloc(512 * 1024, 'x')
    // A reader that starts only after the pipe is full, in another process, since this thread blocks.
    const reader = spawn('sh', ['-c', `sleep 0.2; wc -c < ${fifo}`], { stdio: ['ignore', 'pipe', 'inherit'] })
    let counted = ''
    reader.stdout.setEncoding('utf8').on('data', (chunk: string) => { counted += chunk })
    const progress = { bytes: 0 }
    writeAll(writeFd, data, progress, 10_000)
    expect(progress.bytes).toBe(data.length)
    closeSync(writeFd)
    closeSync(readFd)
    await new Promise((resolve) => reader.on('exit', resolve))
    // Our own read end took nothing, so the other reader got every byte.
    expect(Number(counted.trim())).toBe(data.length)
  })

  it('fails with EAGAIN when the reader does not catch up in time, saying how much was written', () => {
    const { readFd, writeFd } = nonBlockingPipe()
    const progress = { bytes: 0 }
    expect(() => writeAll(writeFd, Buffer.alloc(512 * 1024, 'x'), progress, 20)).toThrow(expect.objectContaining({ code: 'EAGAIN' }))
    expect(progress.bytes).toBeGreaterThan(0)
    expect(progress.bytes).toBeLessThan(512 * 1024)
    closeSync(writeFd)
    closeSync(readFd)
  })
})
