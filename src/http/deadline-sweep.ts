/** An item's place in the sweep, from `add`; what `remove` takes. */
export interface DeadlineEntry<T> {
  readonly item: T
  /** The tick the item came in. */
  readonly tick: number
  older: DeadlineEntry<T> | undefined
  newer: DeadlineEntry<T> | undefined
  /** False once removed or handed out, so neither happens twice. */
  waiting: boolean
}

/**
 * Finds what has waited past a deadline with one sweep per tick instead of a timer each, the way
 * Node's HTTP server checks `headersTimeout` and `requestTimeout` (every
 * `connectionsCheckingInterval`).
 *
 * Items wait in one list, oldest first, each with the tick it came in. Each tick hands the items at
 * the old end whose tick lies a whole deadline back to `onOverdue`. So an item is found overdue
 * between `deadlineMs` and `deadlineMs` plus one tick after it was added. An item that is done is
 * unlinked with `remove`. A request costs one small object and a few pointer writes: a `Set` of
 * replies per tick cost several percent of a public answer (docs/performance.md).
 */
export class DeadlineSweep<T> {
  /** Milliseconds between two calls of `tick`. */
  readonly tickMs: number
  private readonly ticksPerDeadline: number
  private ticks = 0
  private oldest: DeadlineEntry<T> | undefined
  private newest: DeadlineEntry<T> | undefined
  private readonly onOverdue: (item: T) => void

  /** `ticksPerDeadline` sets the precision: the deadline is overshot by at most 1/ticksPerDeadline of it. */
  constructor (deadlineMs: number, onOverdue: (item: T) => void, ticksPerDeadline = 10) {
    this.tickMs = deadlineMs / ticksPerDeadline
    this.ticksPerDeadline = ticksPerDeadline
    this.onOverdue = onOverdue
  }

  /** Starts the deadline of `item`. */
  add (item: T): DeadlineEntry<T> {
    const entry: DeadlineEntry<T> = { item, tick: this.ticks, older: this.newest, newer: undefined, waiting: true }
    if (this.newest === undefined) this.oldest = entry
    else this.newest.newer = entry
    this.newest = entry
    return entry
  }

  /** The item is done before its deadline; removing it again, or once handed out, does nothing. */
  remove (entry: DeadlineEntry<T>): void {
    if (!entry.waiting) return
    entry.waiting = false
    if (entry.older === undefined) this.oldest = entry.newer
    else entry.older.newer = entry.newer
    if (entry.newer === undefined) this.newest = entry.older
    else entry.newer.older = entry.older
    entry.older = undefined
    entry.newer = undefined
  }

  /** Moves on by one tick and hands out the items whose deadline has passed. */
  tick (): void {
    this.ticks++
    // Came in a whole deadline of ticks before the tick just begun: at least `deadlineMs` ago.
    const last = this.ticks - this.ticksPerDeadline - 1
    const overdue: T[] = []
    // Unlinked first, all of them: handing one out may add new items or remove others.
    while (this.oldest !== undefined && this.oldest.tick <= last) {
      overdue.push(this.oldest.item)
      this.remove(this.oldest)
    }
    for (const item of overdue) this.onOverdue(item)
  }
}
