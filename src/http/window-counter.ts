interface Window { count: number, endsAt: number }

/**
 * Requests per key in fixed windows, kept in memory for at most `capacity` keys. Synchronous on
 * purpose: it runs on every request before anything else is spent on it, so it must cost no more
 * than a map lookup.
 *
 * Keys live in two generations of up to half the capacity each: a hit finds its key in the recent
 * one (the common case: nothing moves), or moves it there from the older one; when the recent one
 * is full it becomes the older one, and the keys not seen since are dropped. So a key seen within
 * the last half-capacity new keys is kept, as with a least-recently-used list, without the delete
 * and re-insert per hit that one costs (a Map keeps insertion order, and deleting leaves holes that
 * have to be compacted: 1.5% of a public request).
 */
export class WindowCounter {
  private readonly max: number
  private readonly windowMs: number
  private readonly generationSize: number
  private recent = new Map<string, Window>()
  private older = new Map<string, Window>()

  constructor (max: number, windowMs: number, capacity: number) {
    this.max = max
    this.windowMs = windowMs
    this.generationSize = Math.max(1, Math.floor(capacity / 2))
  }

  /** Counts one request for `key`; `exceeded` once it is past `max` in this window. */
  hit (key: string, now = Date.now()): { exceeded: boolean, ttl: number } {
    let window = this.recent.get(key)
    if (window === undefined) {
      window = this.older.get(key)
      if (window !== undefined) this.older.delete(key)
      if (this.recent.size >= this.generationSize) {
        this.older = this.recent
        this.recent = new Map()
      }
      window ??= { count: 0, endsAt: now + this.windowMs }
      this.recent.set(key, window)
    }
    if (window.endsAt <= now) {
      window.count = 0
      window.endsAt = now + this.windowMs
    }
    window.count++
    return { exceeded: window.count > this.max, ttl: window.endsAt - now }
  }

  /** Keys held now: at most the capacity. */
  get size (): number {
    return this.recent.size + this.older.size
  }
}
