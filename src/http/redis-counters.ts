import type { FastifyBaseLogger } from 'fastify'
import { Redis } from 'ioredis'
import { unavailable } from '../errors.ts'

/** One fixed window per key: INCR, and the expiry set by the first hit of a window. */
const HIT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if current == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`

/** How soon a client refused for want of the counters may try again. */
const STORE_RETRY_SECONDS = 5
/** Redis down is said once a minute, not once a request. */
const WARN_EVERY_MS = 60_000

export type StoreErrorPolicy = 'fail_closed' | 'fail_open'

interface HitCommand {
  cpxdHit: (key: string, windowMs: number) => Promise<[number, number]>
}

/**
 * Rate-limit counters in Redis, shared by every replica. Each command fails fast when Redis is
 * unreachable (no offline queue, a one-second timeout), and then the policy decides: `fail_closed`
 * refuses the request (503, `Retry-After`, audited as `rate_limit_store_unavailable`);
 * `fail_open` lets it through and says so on the application log once a minute. Never silently
 * unlimited.
 */
export class RedisCounters {
  private readonly redis: Redis
  private readonly policy: StoreErrorPolicy
  private readonly log: FastifyBaseLogger
  private lastWarning = 0

  constructor (url: string, policy: StoreErrorPolicy, log: FastifyBaseLogger) {
    this.policy = policy
    this.log = log
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      keyPrefix: 'cpxd:rl:'
    })
    this.redis.defineCommand('cpxdHit', { numberOfKeys: 1, lua: HIT })
    // ioredis reports every failed reconnect; the policy's warning is what operators need.
    this.redis.on('error', (err: Error) => { this.warn(err) })
  }

  /** Waits (up to the connect timeout) for the first connection, so start-up is not a burst of refusals. */
  async ready (): Promise<void> {
    if (this.redis.status === 'ready') return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2500)
      this.redis.once('ready', () => { clearTimeout(timer); resolve() })
    })
  }

  /** Counts one request for `key` in `namespace`; the count so far and what is left of the window. */
  async hit (namespace: string, key: string, windowMs: number): Promise<{ current: number, ttl: number }> {
    try {
      const [current, ttl] = await (this.redis as unknown as HitCommand).cpxdHit(`${namespace}:${key}`, windowMs)
      return { current, ttl }
    } catch (err) {
      this.warn(err as Error)
      if (this.policy === 'fail_closed') throw unavailable(STORE_RETRY_SECONDS, 'rate_limit_store_unavailable', 'rate limits cannot be checked; retry later')
      return { current: 0, ttl: windowMs }
    }
  }

  async close (): Promise<void> {
    this.redis.disconnect()
  }

  private warn (err: Error): void {
    const now = Date.now()
    if (now - this.lastWarning < WARN_EVERY_MS) return
    this.lastWarning = now
    // The error's message names host and port, never the URL's credentials.
    this.log.warn({ reason: err.message, on_store_error: this.policy }, this.policy === 'fail_closed'
      ? 'rate-limit store (Redis) unreachable: refusing requests (503) until it is back'
      : 'rate-limit store (Redis) unreachable: requests are NOT rate limited until it is back (on_store_error: fail_open)')
  }
}
