import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { CpxdConfig } from '../../config/schema.ts'
import { EvidenceLinks } from '../../evidence/gateway-links.ts'
import { GatewaySigner } from '../../evidence/gateway-signer.ts'
import { publicUrl } from '../../http/public-url.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Mints each request's evidence links. */
    evidenceLinks: EvidenceLinks
    /** Checks a followed evidence link. */
    gatewaySigner: GatewaySigner
    /**
     * True when a link that fails its signature check may simply predate this process: no gateway
     * key is configured, so links are signed with a key made at start, and one expiring then was
     * handed out before it.
     */
    signedBeforeThisStart: (expiresSeconds: number) => boolean
    /** Evidence links handed out in answers and followed to their evidence, since start. */
    evidenceLinkCounts: { issued: number, followed: number }
  }
}

export interface EvidenceLinksOptions {
  readonly server: CpxdConfig['server']
  readonly linkLifetimeMs: number
  /** The configured gateway key; without one, a random key per process (docs/evidence.md says what that costs). */
  readonly gatewayKey: Buffer | undefined
}

export default fp<EvidenceLinksOptions>(async function evidenceLinks (app, opts) {
  // Links expire on whole seconds, so one minted in the second before this start counts as forged.
  const startedAt = Date.now()
  const processKey = randomBytes(32)
  let state = setUp(app, opts, processKey)
  app.onConfigReload('evidence-links', ({ config, secrets }) => {
    const next = setUp(app, { server: config.server, linkLifetimeMs: config.evidence.link_lifetime, gatewayKey: secrets.gatewayKey }, processKey)
    return () => { state = next }
  })
  app.decorate('evidenceLinkCounts', { issued: 0, followed: 0 })
  app.decorate('gatewaySigner', { getter: () => state.signer })
  app.decorate('evidenceLinks', { getter: () => state.links })
  app.decorate('signedBeforeThisStart', (expiresSeconds: number) => !state.keyConfigured && expiresSeconds * 1000 < startedAt + state.lifetimeMs - 1000)
}, { name: 'evidence-links', dependencies: ['config-reload'] })

function setUp (app: FastifyInstance, opts: EvidenceLinksOptions, processKey: Buffer): { signer: GatewaySigner, links: EvidenceLinks, keyConfigured: boolean, lifetimeMs: number } {
  if (opts.gatewayKey === undefined) {
    app.log.warn('evidence links are signed with a key made at this start (no evidence.gateway_key_env or gateway_key_file): links handed out now stop working at the next restart, and other replicas refuse them')
  }
  if (opts.server.trust_proxy !== false && opts.server.public_url === undefined) {
    app.log.warn('server.trust_proxy is set but server.public_url is not: evidence links name the address cpxd listens on, which clients behind the proxy cannot reach; set server.public_url to the address they use')
  }
  const signer = new GatewaySigner(opts.gatewayKey ?? processKey)
  return { signer, links: new EvidenceLinks(signer, () => publicUrl(app, opts.server), opts.linkLifetimeMs), keyConfigured: opts.gatewayKey !== undefined, lifetimeMs: opts.linkLifetimeMs }
}
