import type { Server } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { CpxdConfig } from '../config/schema.ts'

/**
 * The URL each listening server was reached at, per server settings: `address()` is a system call,
 * and an answer with evidence links asks for it every time (6% of such a request).
 */
const listenedOn = new WeakMap<Server, { readonly settings: CpxdConfig['server'], readonly url: string }>()

/**
 * Where clients reach cpxd, for the links it hands out and the issuer it signs as:
 * `server.public_url`, else the address actually listened on. Never the request's Host header,
 * which the client chooses. No trailing slash.
 */
export function publicUrl (app: FastifyInstance, server: CpxdConfig['server']): string {
  if (server.public_url !== undefined) return server.public_url.replace(/\/+$/, '')
  const known = listenedOn.get(app.server)
  if (known !== undefined && known.settings === server && app.server.listening) return known.url
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : server.port
  const host = server.host.includes(':') ? `[${server.host}]` : server.host
  const url = `${server.tls === undefined ? 'http' : 'https'}://${host}:${port}`
  if (typeof address === 'object' && address !== null) listenedOn.set(app.server, { settings: server, url })
  return url
}
