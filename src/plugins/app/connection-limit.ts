import fp from 'fastify-plugin'
import { limitConnections } from '../../http/connection-limit.ts'

export interface ConnectionLimitOptions {
  readonly maxConnections: number
}

/** At most `server.max_connections` open at once; more are closed as they arrive (http/connection-limit.ts). */
export default fp<ConnectionLimitOptions>(async function connectionLimit (app, opts) {
  limitConnections(app.server, opts.maxConnections, app.log)
}, { name: 'connection-limit' })
