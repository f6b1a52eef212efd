import fp from 'fastify-plugin'
import type { EvidenceLinks } from '../../evidence/gateway-links.ts'
import type { GatewaySigner } from '../../evidence/gateway-signer.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Mints each request's evidence links. */
    evidenceLinks: EvidenceLinks
    /** Checks a followed evidence link. */
    gatewaySigner: GatewaySigner
  }
}

export interface EvidenceLinksOptions {
  readonly links: EvidenceLinks
  readonly signer: GatewaySigner
}

export default fp<EvidenceLinksOptions>(async function evidenceLinks (app, opts) {
  app.decorate('evidenceLinks', opts.links)
  app.decorate('gatewaySigner', opts.signer)
}, { name: 'evidence-links' })
