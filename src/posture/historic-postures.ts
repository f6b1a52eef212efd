import type { PostureHistory } from './version-store.ts'
import { RenderedPosture } from './rendered-posture.ts'

/** Historic versions kept rendered: an auditor paging through history reads a few, again and again. */
const KEPT_RENDERED = 32

/**
 * Published versions, rendered for reading (`?version=`, `?at=`). Their evidence is as each
 * version declared it: no links, since the evidence behind them may have changed since.
 */
export class HistoricPostures {
  readonly history: PostureHistory
  private readonly rendered = new Map<string, RenderedPosture>()

  constructor (history: PostureHistory) {
    this.history = history
  }

  async get (tenant: string, which: { id: string } | { at: number }): Promise<RenderedPosture | undefined> {
    const found = 'id' in which ? await this.history.read(tenant, which.id) : await this.history.inForceAt(tenant, which.at)
    if (found === undefined) return undefined
    const key = `${tenant}/${found.record.id}`
    let posture = this.rendered.get(key)
    if (posture === undefined) {
      posture = new RenderedPosture(found.document)
      if (this.rendered.size >= KEPT_RENDERED) this.rendered.delete(this.rendered.keys().next().value as string)
      this.rendered.set(key, posture)
    }
    return posture
  }
}
