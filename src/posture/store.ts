import { evidenceKey, NO_EVIDENCE, type EvidenceIndex, type IndexedEvidence } from '../evidence/evidence-index.ts'
import type { RenderedPosture } from './rendered-posture.ts'
import type { PostureSet } from './loader.ts'
import { DEFAULT_POSTURE } from './tenant-id.ts'

/**
 * The posture cpxd serves. A reload swaps the whole set at once, and only after every file in
 * it loaded, so a request sees one version from start to end and a failed reload keeps the last
 * good set.
 */
export class PostureStore {
  private postures: PostureSet | undefined
  private evidence: EvidenceIndex = NO_EVIDENCE
  private loadedVersion = 0

  get ready (): boolean {
    return this.postures !== undefined
  }

  get version (): number {
    return this.loadedVersion
  }

  get tenantCount (): number {
    return this.postures === undefined ? 0 : [...this.postures.keys()].filter((k) => k !== DEFAULT_POSTURE).length
  }

  /** Swaps postures and the evidence they reference together, so the two never disagree. */
  replace (postures: PostureSet, evidence?: EvidenceIndex): void {
    this.postures = postures
    this.evidence = evidence ?? NO_EVIDENCE
    this.loadedVersion += 1
  }

  /** An evidence item a posture of this version references (never a withheld one). */
  evidenceItem (tenant: string, id: string): IndexedEvidence | undefined {
    return this.evidence.items.get(evidenceKey(tenant, id))
  }

  /** The vendor's own posture, served at `/cpx`. */
  vendor (): RenderedPosture | undefined {
    return this.postures?.get(DEFAULT_POSTURE)
  }

  tenant (id: string): RenderedPosture | undefined {
    return this.postures?.get(id)
  }
}
