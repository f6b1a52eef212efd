import fp from 'fastify-plugin'
import type { GatewayLinks } from '../../evidence/gateway-links.ts'
import type { GatewaySigner } from '../../evidence/gateway-signer.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Mints the auditor tier's evidence links. */
    gatewayLinks: GatewayLinks
    /** Checks a followed evidence link. */
    gatewaySigner: GatewaySigner
  }
}

export interface EvidenceLinksOptions {
  readonly links: GatewayLinks
  readonly signer: GatewaySigner
}

export default fp<EvidenceLinksOptions>(async function evidenceLinks (app, opts) {
  app.decorate('gatewayLinks', opts.links)
  app.decorate('gatewaySigner', opts.signer)
}, { name: 'evidence-links' })
