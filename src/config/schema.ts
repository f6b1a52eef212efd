import { isIP } from 'node:net'
import { z } from 'zod'
import { PRINCIPAL_TIERS } from '../domain/tier.ts'
import { RESERVED_TENANT_IDS, TENANT_ID_PATTERN } from '../domain/tenant-id.ts'
import { duration, MAX_STALE_AFTER_MS, MIN_STALE_AFTER_MS } from './duration.ts'
import { jwtSchema } from './jwt-schema.ts'
import { envVarName } from './named-secret.ts'
import { SIGNING_ALGORITHMS } from '../signing/signing-key.ts'

const DAY_MS = 86_400_000

const origin = z.string().refine((value) => {
  try {
    return new URL(value).origin === value
  } catch {
    return false
  }
}, 'must be an exact origin such as https://trust.example.com (scheme, host, optional port; no path or trailing slash)')

const apiKeyEntry = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must match ^[a-z0-9][a-z0-9_-]{0,63}$'),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 lowercase hex>, as printed by `cpxd keys new`'),
  tier: z.enum(PRINCIPAL_TIERS),
  tenants: z.array(z.union([z.literal('*'), z.string().regex(TENANT_ID_PATTERN, 'must be a tenant id or "*"')
    .refine((tenant) => !RESERVED_TENANT_IDS.has(tenant), 'cannot be a tenant: /cpx/<this> is a path of cpxd\'s own')])).default([])
})

/** `10.0.0.7`, `::1`, `10.0.0.0/8`, `fd00::/8`: a proxy address, or a block of them. */
const proxyAddress = z.string().refine((value) => {
  const [address = '', prefix, extra] = value.split('/')
  const version = isIP(address)
  if (version === 0 || extra !== undefined) return false
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128))
}, 'must be an IP address or a CIDR block such as 10.0.0.0/8 or "::1"; host names are not trusted')

/** One hop count or a list of proxy addresses/CIDRs; `true` (trust anyone) is refused on purpose. */
const trustProxy = z.union([
  z.literal(false),
  z.number().int().min(1).max(10),
  z.array(proxyAddress).min(1)
], { error: 'must be false, a hop count from 1 to 10, or a list of proxy addresses and CIDR blocks (true would trust every client)' })

const server = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  trust_proxy: trustProxy.default(false),
  body_limit: z.number().int().min(1024).max(1024 * 1024).default(16 * 1024),
  max_header_size: z.number().int().min(4096).max(64 * 1024).default(16 * 1024),
  request_timeout: duration(1000, 120_000).default(10_000),
  headers_timeout: duration(1000, 120_000).default(5000),
  keep_alive_timeout: duration(1000, 120_000).default(5000),
  /** Connections open at once, per listener; more are closed as they arrive. */
  max_connections: z.number().int().min(1).max(1_000_000).default(10_000),
  handler_timeout: duration(1000, 120_000).default(10_000),
  /** The address clients reach cpxd at, for the links it hands out (default http://host:port). */
  public_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://trust.example.com' }).optional(),
  /** HTTPS in the process: a PEM certificate (its chain after it) and its private key. */
  tls: z.strictObject({
    cert_file: z.string().min(1),
    key_file: z.string().min(1)
  }).optional(),
  /** With `tls`: a plain listener that only redirects to HTTPS (308) and answers /healthz. */
  http_redirect_port: z.number().int().min(0).max(65535).optional(),
  shutdown_timeout: duration(1000, 120_000).default(10_000),
  /** Where the server writes its process id, for `cpxd reload` and init systems. */
  pid_file: z.string().min(1).optional()
}).refine((s) => s.headers_timeout <= s.request_timeout, {
  message: 'headers_timeout must not exceed request_timeout',
  path: ['headers_timeout']
}).refine((s) => s.http_redirect_port === undefined || s.tls !== undefined, {
  message: 'http_redirect_port redirects to HTTPS, so it needs server.tls',
  path: ['http_redirect_port']
})

export const configSchema = z.strictObject({
  server: server.default(() => server.parse({})),
  posture_dir: z.string().min(1).default('posture'),
  posture: z.strictObject({
    /**
     * A posture whose own `timestamp` is older than this is answered 503 (`posture_stale`) rather
     * than served; a posture file's `stale_after` overrides it. Off by default.
     */
    stale_after: duration(MIN_STALE_AFTER_MS, MAX_STALE_AFTER_MS).optional(),
    /**
     * Where published versions go: `files` writes each into `posture_dir` and keeps every version
     * whole in `history_dir`.
     */
    store: z.strictObject({
      kind: z.enum(['files', 'postgres']).default('files'),
      history_dir: z.string().min(1).default('.cpxd/posture-history'),
      /** With `postgres`: the variable that holds the connection string (it holds a password). */
      url_env: envVarName.optional()
    }).refine((store) => store.kind !== 'postgres' || store.url_env !== undefined, { error: 'kind postgres needs url_env, the variable that holds the connection string', path: ['url_env'] })
      .default({ kind: 'files', history_dir: '.cpxd/posture-history' }),
    /** How long published versions are kept (the newest always is); 3 years, as FedRAMP asks. */
    retention: duration(DAY_MS, MAX_STALE_AFTER_MS).default(1095 * DAY_MS),
    /** The largest posture `POST /cpx` takes (JSON or YAML). */
    publish_max_bytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(2 * 1024 * 1024)
  }).default({ store: { kind: 'files', history_dir: '.cpxd/posture-history' }, retention: 1095 * DAY_MS, publish_max_bytes: 2 * 1024 * 1024 }),
  public: z.strictObject({
    max_age: duration(0, DAY_MS).default(300_000)
  }).default({ max_age: 300_000 }),
  auth: z.strictObject({
    api_keys: z.array(apiKeyEntry).default([]),
    jwt: jwtSchema.optional()
  }).default({ api_keys: [] }).superRefine((auth, ctx) => {
    const ids = new Set<string>()
    const hashes = new Set<string>()
    auth.api_keys.forEach((key, index) => {
      if (ids.has(key.id)) ctx.addIssue({ code: 'custom', message: `duplicate key id "${key.id}"`, path: ['api_keys', index, 'id'] })
      if (hashes.has(key.hash)) ctx.addIssue({ code: 'custom', message: 'duplicate key hash', path: ['api_keys', index, 'hash'] })
      ids.add(key.id)
      hashes.add(key.hash)
    })
  }),
  cors: z.strictObject({
    origins: z.array(origin).default([]),
    max_age: duration(0, DAY_MS).default(600_000)
  }).default({ origins: [], max_age: 600_000 }),
  rate_limit: z.strictObject({
    max: z.number().int().min(1).max(1_000_000).default(120),
    window: duration(1000, DAY_MS).default(60_000),
    /** Requests per window per client address before any credential is checked; default 10 x max. */
    pre_auth_max: z.number().int().min(1).max(10_000_000).optional(),
    /** Buckets kept in memory; the least recently used go first once there are more. */
    clients: z.number().int().min(1000).max(10_000_000).default(100_000),
    /** Requests one caller may have unanswered at once; more are refused until some are answered. */
    max_in_flight: z.number().int().min(1).max(10_000).default(16),
    /**
     * Counters in Redis, shared by every replica, instead of in each process: the URL itself
     * (`redis://host:6379/0`, no password in it), or the variable that holds it.
     */
    redis_url: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
      .refine((url) => new URL(url).password === '', 'must not hold a password: name a variable with redis_url_env instead')
      .optional(),
    redis_url_env: envVarName.optional(),
    /** With Redis unreachable: refuse (503, the default) or serve unlimited, logging each minute. */
    on_store_error: z.enum(['fail_closed', 'fail_open']).default('fail_closed')
  }).refine((r) => r.redis_url === undefined || r.redis_url_env === undefined, { error: 'set redis_url or redis_url_env, not both' })
    .default({ max: 120, window: 60_000, clients: 100_000, max_in_flight: 16, on_store_error: 'fail_closed' }),
  evidence: z.strictObject({
    /** The folder behind `backend: local`. */
    local_root: z.string().min(1).default('evidence'),
    /** The HMAC-authenticated hash index. */
    cache_dir: z.string().min(1).default('.cpxd/hash-cache'),
    /** How long an evidence link works: 1 hour by default, never more than 24 hours. */
    link_lifetime: duration(60_000, DAY_MS).default(3_600_000),
    /** The key that signs gateway links, named here, never written here (>= 32 bytes). */
    gateway_key_env: envVarName.optional(),
    gateway_key_file: z.string().min(1).optional(),
    /** One S3 (or S3-compatible) bucket; credentials come from the standard AWS chain. */
    s3: z.strictObject({
      bucket: z.string().min(3).max(63),
      region: z.string().min(1).default('us-east-1'),
      endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
      force_path_style: z.boolean().default(false),
      delivery: z.enum(['direct', 'gateway']).default('direct')
    }).optional(),
    /** One Google Cloud Storage bucket; V4 URLs are signed with the service account's key. */
    gcs: z.strictObject({
      bucket: z.string().min(3).max(222),
      service_account_file: z.string().min(1).optional(),
      api_endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
      delivery: z.enum(['direct', 'gateway']).default('direct')
    }).optional()
  }).default({ local_root: 'evidence', cache_dir: '.cpxd/hash-cache', link_lifetime: 3_600_000 }),
  audit: z.strictObject({
    file: z.string().min(1).default('audit.log'),
    /** Refuse (503) what cannot be audited, rather than answer unrecorded. */
    fail_closed: z.boolean().default(true),
    /** The key that seals the chain (>= 32 bytes), by env var or file; default: `audit.key` beside the file. */
    key_env: envVarName.optional(),
    key_file: z.string().min(1).optional()
  }).refine((a) => a.key_env === undefined || a.key_file === undefined, { error: 'set key_env or key_file, not both' })
    .default({ file: 'audit.log', fail_closed: true }),
  /**
   * Every posture answer signed (RFC 9421 headers, and a JWS on request). The key comes from
   * `key_env` or `key_file` (default `.cpxd/signing-key.jwk`, created at the first start).
   */
  signing: z.strictObject({
    enabled: z.boolean().default(true),
    key_env: envVarName.optional(),
    key_file: z.string().min(1).optional(),
    /** The algorithm of a key cpxd creates; a key given to it signs with its own. */
    algorithm: z.enum(SIGNING_ALGORITHMS).default('ed25519'),
    /** How long a signature holds: a verifier refuses it after this. */
    validity: duration(5 * 60_000, 366 * DAY_MS).default(DAY_MS),
    /** Public keys still published, so documents they signed verify until they expire. */
    retired_keys: z.array(z.string().min(1)).default([])
  }).refine((s) => s.key_env === undefined || s.key_file === undefined, { error: 'set key_env or key_file, not both' })
    .default({ enabled: true, algorithm: 'ed25519', validity: DAY_MS, retired_keys: [] }),
  /** The trust-center page at /trust (and / redirecting there), built from the public posture. */
  trust_page: z.strictObject({
    enabled: z.boolean().default(true),
    /** Default: "<organization> trust center". */
    title: z.string().min(1).max(120).optional(),
    /** A local PNG, SVG, JPEG or WebP file, at most 512 KiB. */
    logo_file: z.string().min(1).optional(),
    accent: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as #2557d6').default('#2557d6')
  }).default({ enabled: true, accent: '#2557d6' }),
  /** Shed load (503 with Retry-After) when the process is past any of these; probes are always answered. */
  overload: z.strictObject({
    max_event_loop_delay: duration(10, 60_000).default(1000),
    /** Fraction of time the event loop is busy (0.5 to 1); off unless set. */
    max_event_loop_utilization: z.number().min(0.5).max(1).optional(),
    /** Default: 90% of V8's heap limit, so an answer is refused before the process runs out. */
    max_heap_used_bytes: z.number().int().min(1024 * 1024).optional(),
    /** Off unless set; set it a little under the container's memory limit. */
    max_rss_bytes: z.number().int().min(16 * 1024 * 1024).optional(),
    sample_interval: duration(10, 10_000).default(1000),
    retry_after: duration(1000, 3_600_000).default(10_000)
  }).default({ max_event_loop_delay: 1000, sample_interval: 1000, retry_after: 10_000 }),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Human-readable lines instead of JSON; by default only when stderr is a terminal. */
    pretty: z.boolean().optional()
  }).default({ level: 'info' })
}).superRefine((config, ctx) => {
  // A link minted by one replica is followed on whichever the load balancer picks.
  const replicated = config.posture.store.kind === 'postgres' || config.rate_limit.redis_url !== undefined || config.rate_limit.redis_url_env !== undefined
  if (replicated && config.evidence.gateway_key_env === undefined && config.evidence.gateway_key_file === undefined) {
    ctx.addIssue({ code: 'custom', path: ['evidence', 'gateway_key_env'], message: 'replicas (posture.store postgres, or rate_limit.redis_url) need one evidence link key they all share: set evidence.gateway_key_env or gateway_key_file (at least 32 random bytes)' })
  }
})

export type CpxdConfig = z.output<typeof configSchema>
export type ApiKeyEntry = z.output<typeof apiKeyEntry>
