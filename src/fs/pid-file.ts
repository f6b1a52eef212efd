import { readFileSync, rmSync, statSync } from 'node:fs'
import { writeFileAtomic } from './atomic-write.ts'

/** Linux reports process start times in clock ticks; USER_HZ is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100

/**
 * The process a pid file names, if it is still the one that wrote it: a pid whose process has
 * gone may have been handed to another, so a live process that started after the file was written
 * is not it. Undefined when the file is missing, unreadable, or stale.
 */
export function pidFileOwner (file: string): number | undefined {
  let text: string
  let writtenAt: number
  try {
    text = readFileSync(file, 'utf8')
    writtenAt = statSync(file).mtimeMs
  } catch {
    return undefined
  }
  if (!/^\d{1,10}\n?$/.test(text)) return undefined
  const pid = Number(text.trim())
  if (pid <= 1 || !isAlive(pid)) return undefined
  const startedAt = processStartMs(pid)
  // One second of slack: the start time is rounded to ticks and the file's time to the filesystem's.
  if (startedAt !== undefined && startedAt > writtenAt + 1000) return undefined
  return pid
}

/** Writes this process's pid (atomically, so a reader never sees half of it). */
export function writePidFile (file: string, pid = process.pid): void {
  writeFileAtomic(file, `${pid}\n`, 0o644)
}

/** Removes the pid file if it still names this process; another's is left alone. */
export function removePidFile (file: string, pid = process.pid): void {
  try {
    if (readFileSync(file, 'utf8').trim() === String(pid)) rmSync(file)
  } catch {
    // Already gone.
  }
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** When a process started, from /proc (Linux); undefined elsewhere. */
function processStartMs (pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[19])
    const bootLine = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))
    if (bootLine?.[1] === undefined || !Number.isFinite(ticks)) return undefined
    return (Number(bootLine[1]) + ticks / TICKS_PER_SECOND) * 1000
  } catch {
    return undefined
  }
}
