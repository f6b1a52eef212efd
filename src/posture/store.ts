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

  replace (postures: PostureSet): void {
    this.postures = postures
    this.loadedVersion += 1
  }

  /** The vendor's own posture, served at `/cpx`. */
  vendor (): RenderedPosture | undefined {
    return this.postures?.get(DEFAULT_POSTURE)
  }

  tenant (id: string): RenderedPosture | undefined {
    return this.postures?.get(id)
  }
}
