import type { PostureVersion } from './posture-version.ts'

/** How far the load of a version has got: evidence items found and hashed, of all. */
export interface LoadProgress {
  readonly hashed: number
  readonly total: number
}

/**
 * The posture version cpxd serves. A reload swaps a whole version at once, and only after every
 * file in it loaded, so a request sees one version from start to end and a failed reload keeps
 * the last good one.
 */
export class PostureStore {
  private active: PostureVersion | undefined
  private swaps = 0
  private loading: LoadProgress = { hashed: 0, total: 0 }

  /** The version to answer from; a request reads this once. */
  get current (): PostureVersion | undefined {
    return this.active
  }

  get ready (): boolean {
    return this.active !== undefined
  }

  /** How many versions have been swapped in since start (1 after the first load). */
  get version (): number {
    return this.swaps
  }

  /** The progress of the load under way (or of the last one). */
  get progress (): LoadProgress {
    return this.loading
  }

  reportProgress (hashed: number, total: number): void {
    this.loading = { hashed, total }
  }

  replace (version: PostureVersion): void {
    this.active = version
    this.swaps += 1
  }
}
