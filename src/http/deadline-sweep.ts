/**
 * Finds what has waited past a deadline with one sweep per tick instead of a timer each, the way
 * Node's HTTP server checks `headersTimeout` and `requestTimeout` (every
 * `connectionsCheckingInterval`): a request then costs a set insertion and a deletion.
 *
 * Items are kept in one group per tick. Each tick the oldest group, whose items were all added
 * at least `deadlineMs` ago, is emptied and handed to `onOverdue`, then reused for the items of the
 * new tick. So an item is found overdue between `deadlineMs` and `deadlineMs` plus one tick after it
 * was added. An item that is done is taken out of its group with `remove`.
 */
export class DeadlineSweep<T> {
  /** Milliseconds between two calls of `tick`. */
  readonly tickMs: number
  private readonly groups: Array<Set<T>>
  private current = 0
  private readonly onOverdue: (item: T) => void

  /** `ticksPerDeadline` sets the precision: the deadline is overshot by at most 1/ticksPerDeadline of it. */
  constructor (deadlineMs: number, onOverdue: (item: T) => void, ticksPerDeadline = 10) {
    this.tickMs = deadlineMs / ticksPerDeadline
    // One group more than the ticks in a deadline: the oldest has then been there a whole deadline.
    this.groups = Array.from({ length: ticksPerDeadline + 1 }, () => new Set<T>())
    this.onOverdue = onOverdue
  }

  /** Starts the deadline of `item`; the group returned is what `remove` takes. */
  add (item: T): Set<T> {
    const group = this.groups[this.current] as Set<T>
    group.add(item)
    return group
  }

  /** The item is done before its deadline. */
  remove (item: T, group: Set<T>): void {
    group.delete(item)
  }

  /** Moves on by one tick and hands out the items whose deadline has passed. */
  tick (): void {
    this.current = (this.current + 1) % this.groups.length
    const oldest = this.groups[this.current] as Set<T>
    if (oldest.size === 0) return
    const overdue = [...oldest]
    // Emptied first: it is the group new items join from now on.
    oldest.clear()
    for (const item of overdue) this.onOverdue(item)
  }
}
