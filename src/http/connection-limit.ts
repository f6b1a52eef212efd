import type { Server } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'

/** How often, at most, refused connections are counted in the application log. */
const REPORT_INTERVAL_MS = 60_000

/**
 * Caps the connections a listener holds open at once (`server.max_connections`): Node closes any
 * connection past the cap as soon as it is accepted, before a byte of it is read, so there is no
 * request to answer or audit. The application log says so when it begins, then counts what was
 * refused once a minute while it goes on, so a flood of connections cannot flood the log.
 */
export function limitConnections (server: Server, max: number, log: FastifyBaseLogger): void {
  server.maxConnections = max
  let refused = 0
  let report: NodeJS.Timeout | undefined
  const reportRefused = (): void => {
    if (refused === 0) {
      report = undefined
      return
    }
    log.warn({ refused, max_connections: max }, `${refused} more connections refused in the last minute: server.max_connections (${max}) were open`)
    refused = 0
    report = setTimeout(reportRefused, REPORT_INTERVAL_MS).unref()
  }
  server.on('drop', () => {
    if (report !== undefined) {
      refused++
      return
    }
    log.warn({ max_connections: max }, `refusing new connections: server.max_connections (${max}) are open`)
    report = setTimeout(reportRefused, REPORT_INTERVAL_MS).unref()
  })
  server.once('close', () => { clearTimeout(report) })
}
