/**
 * Requests per key in fixed windows, kept in memory for at most `capacity` keys (the least
 * recently seen go first). Synchronous on purpose: it runs on every request before anything else
 * is spent on it, so it must cost no more than a map lookup.
 */
export class WindowCounter {
  private readonly max: number
  private readonly windowMs: number
  private readonly capacity: number
  private readonly windows = new Map<string, { count: number, endsAt: number }>()

  constructor (max: number, windowMs: number, capacity: number) {
    this.max = max
    this.windowMs = windowMs
    this.capacity = capacity
  }

  /** Counts one request for `key`; `exceeded` once it is past `max` in this window. */
  hit (key: string, now = Date.now()): { exceeded: boolean, ttl: number } {
    let window = this.windows.get(key)
    if (window === undefined || window.endsAt <= now) {
      window = { count: 0, endsAt: now + this.windowMs }
    } else {
      // Re-inserted below, so a Map's insertion order is the order keys were last seen.
      this.windows.delete(key)
    }
    window.count++
    this.windows.set(key, window)
    if (this.windows.size > this.capacity) this.windows.delete(this.windows.keys().next().value as string)
    return { exceeded: window.count > this.max, ttl: window.endsAt - now }
  }
}
