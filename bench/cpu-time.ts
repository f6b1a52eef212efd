import { readFileSync } from 'node:fs'

/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux this runs on. */
const CLOCK_TICKS = 100

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux), or NaN elsewhere. Divided by
 * the requests served, it is what a request costs the server, whatever else the machine runs:
 * throughput on a shared 2-core machine also counts the load generator and the neighbours.
 */
export function cpuSeconds (pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return Number.NaN
  }
}
