import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { CpxdConfig } from '../../config/schema.ts'
import { EvidenceLinks } from '../../evidence/gateway-links.ts'
import { GatewaySigner } from '../../evidence/gateway-signer.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Mints each request's evidence links. */
    evidenceLinks: EvidenceLinks
    /** Checks a followed evidence link. */
    gatewaySigner: GatewaySigner
  }
}

export interface EvidenceLinksOptions {
  readonly server: CpxdConfig['server']
  readonly linkLifetimeMs: number
  /** The configured gateway key; without one, a random key per process (docs/evidence.md says what that costs). */
  readonly gatewayKey: Buffer | undefined
}

export default fp<EvidenceLinksOptions>(async function evidenceLinks (app, opts) {
  if (opts.gatewayKey === undefined) {
    app.log.info('evidence links are signed with a key made at this start (no evidence.gateway_key_env or gateway_key_file): links handed out now stop working at the next restart, and other replicas refuse them')
  }
  const signer = new GatewaySigner(opts.gatewayKey ?? randomBytes(32))
  app.decorate('gatewaySigner', signer)
  app.decorate('evidenceLinks', new EvidenceLinks(signer, () => publicUrl(app, opts.server), opts.linkLifetimeMs))
}, { name: 'evidence-links' })

/**
 * Where clients reach cpxd, for the links it hands out: `server.public_url`, else the address
 * actually listened on. Never the request's Host header, which the client chooses.
 */
function publicUrl (app: FastifyInstance, server: CpxdConfig['server']): string {
  if (server.public_url !== undefined) return server.public_url
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : server.port
  const host = server.host.includes(':') ? `[${server.host}]` : server.host
  return `${server.tls === undefined ? 'http' : 'https'}://${host}:${port}`
}
