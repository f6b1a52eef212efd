import type { FastifyInstance } from 'fastify'
import type { CpxdConfig } from '../config/schema.ts'

/**
 * Where clients reach cpxd, for the links it hands out and the issuer it signs as:
 * `server.public_url`, else the address actually listened on. Never the request's Host header,
 * which the client chooses. No trailing slash.
 */
export function publicUrl (app: FastifyInstance, server: CpxdConfig['server']): string {
  if (server.public_url !== undefined) return server.public_url.replace(/\/+$/, '')
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : server.port
  const host = server.host.includes(':') ? `[${server.host}]` : server.host
  return `${server.tls === undefined ? 'http' : 'https'}://${host}:${port}`
}
