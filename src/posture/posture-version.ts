import type { Principal } from '../domain/principal.ts'
import { DEFAULT_POSTURE } from '../domain/tenant-id.ts'
import type { Tier } from '../domain/tier.ts'
import { evidenceKey, NO_EVIDENCE, type EvidenceIndex, type IndexedEvidence } from '../evidence/evidence-index.ts'
import type { EvidenceLinks, MintLink } from '../evidence/gateway-links.ts'
import type { RenderedPosture } from './rendered-posture.ts'
import { specMetricsText } from './spec-metrics.ts'

/** Every posture of a version, keyed by tenant id (`_default` for the vendor's own). */
export type PostureSet = ReadonlyMap<string, RenderedPosture>

/**
 * One version of everything cpxd serves: each tenant's rendered answers and the evidence they
 * reference, built together and never changed, so an answer and the links in it always agree.
 * A request takes one version and keeps it to the end.
 */
export class PostureVersion {
  readonly postures: PostureSet
  /** The evidence this version's documents reference (never a withheld item); failures are why some are not. */
  readonly evidence: EvidenceIndex

  private tenantMetrics: Promise<string> | undefined
  /** When each posture with a freshness limit goes stale (ms since the epoch). */
  private readonly staleAt: ReadonlyMap<string, number>

  constructor (postures: PostureSet, evidence: EvidenceIndex = NO_EVIDENCE, staleAt: ReadonlyMap<string, number> = new Map()) {
    this.postures = postures
    this.evidence = evidence
    this.staleAt = staleAt
  }

  /** Past its freshness limit: answered 503 rather than served (the spec prefers unavailable to stale). */
  isStale (tenant: string, now = Date.now()): boolean {
    const at = this.staleAt.get(tenant)
    return at !== undefined && now >= at
  }

  /** Every stale posture, `_default` for the vendor's own. */
  staleTenants (now = Date.now()): string[] {
    return [...this.staleAt].filter(([, at]) => now >= at).map(([tenant]) => tenant).sort()
  }

  get tenantCount (): number {
    return this.postures.has(DEFAULT_POSTURE) ? this.postures.size - 1 : this.postures.size
  }

  /** The vendor's own posture, served at `/cpx`. */
  vendor (): RenderedPosture | undefined {
    return this.postures.get(DEFAULT_POSTURE)
  }

  tenant (id: string): RenderedPosture | undefined {
    return this.postures.get(id)
  }

  /** An evidence item a posture of this version references. */
  evidenceItem (tenant: string, id: string): IndexedEvidence | undefined {
    return this.evidence.items.get(evidenceKey(tenant, id))
  }

  /**
   * An item a gateway grant for this tier may download: one this version's answers to that tier
   * link to. Anything else (withdrawn, made private, never there) is undefined.
   */
  grantedItem (tenant: string, tier: Tier, id: string): IndexedEvidence | undefined {
    return this.postures.get(tenant)?.linksTo(tier, id) === true ? this.evidenceItem(tenant, id) : undefined
  }

  /** The spec's metrics of every posture, as auditors see them, labelled by tenant (for operators). */
  allTenantMetrics (): Promise<string> {
    this.tenantMetrics ??= specMetricsText([...this.postures].map(([tenant, posture]) => ({ tenant, view: posture.view('auditor') })))
    return this.tenantMetrics
  }

  /** Mints one request's evidence links from this version's evidence. */
  linksFor (links: EvidenceLinks, principal: Principal, tenant: string): MintLink {
    return links.minterFor(this.evidence, principal, tenant)
  }
}
