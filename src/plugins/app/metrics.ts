import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    /** cpxd's own metrics, for operators at /cpx/metrics. */
    cpxdMetrics: Registry
  }
}

/** Statuses that mean cpxd refused the request, counted by their audit reason. */
const REFUSALS = new Set([401, 403, 429, 503])

/**
 * cpxd's own metrics, beside the spec's: how long answers take, what is refused and why, and the
 * state of the posture being served (age, withheld evidence) and of reloads, read at scrape time
 * from where that state lives.
 */
export default fp(async function metrics (app) {
  const registry = new Registry()
  const registers = [registry]
  const duration = new Histogram({
    name: 'cpxd_http_request_duration_seconds',
    help: 'Time from request to answer, by route, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers
  })
  const refusals = new Counter({
    name: 'cpxd_refusals_total',
    help: 'Requests refused (401, 403, 429, 503), by status and audit reason',
    labelNames: ['status', 'reason'],
    registers
  })
  registerStateMetrics(app, registry)
  app.addHook('onResponse', function measureAnswer (request, reply, done) {
    const status = reply.statusCode
    duration.observe({ route: request.routeOptions.url ?? 'unmatched', method: request.method, status }, reply.elapsedTime / 1000)
    if (REFUSALS.has(status)) refusals.inc({ status, reason: request.auditReason ?? 'none' })
    done()
  })
  app.decorate('cpxdMetrics', registry)
}, { name: 'metrics', dependencies: ['posture', 'config-reload', 'audit', 'authentication', 'evidence-links'] })

/** Metrics read at scrape time from where the state lives: the posture served, and reloads. */
function registerStateMetrics (app: FastifyInstance, registry: Registry): void {
  registry.registerMetric(new Gauge({
    name: 'cpxd_posture_age_seconds',
    // Not in prom-client's global registry: two apps in one process (tests) would collide.
    registers: [],
    help: 'Age of each posture being served, from its own timestamp (tenant _default is the vendor\'s)',
    labelNames: ['tenant'],
    collect () {
      this.reset()
      const now = Date.now()
      for (const [tenant, posture] of app.posture.current?.postures ?? []) this.set({ tenant }, Math.max(0, (now - Date.parse(posture.document.timestamp)) / 1000))
    }
  }))
  registry.registerMetric(new Gauge({
    name: 'cpxd_evidence_withheld',
    registers: [],
    help: 'Evidence items withheld from the posture being served (missing, changed, or not matching their hash), by tenant and reason',
    labelNames: ['tenant', 'reason'],
    collect () {
      this.reset()
      for (const failure of app.posture.current?.evidence.failures ?? []) this.inc({ tenant: failure.tenant, reason: failure.reason })
    }
  }))
  registry.registerMetric(new Counter({
    name: 'cpxd_audit_write_failures_total',
    help: 'Answers whose audit line could not be written (refused with 503 when audit.fail_closed)',
    registers: [],
    collect () {
      this.reset()
      this.inc(app.auditWriteFailures())
    }
  }))
  registry.registerMetric(countersOf('cpxd_evidence_links_total', 'Evidence links handed out in answers (issued) and followed to their evidence (followed)', 'event', () => ({ issued: app.evidenceLinkCounts.issued, followed: app.evidenceLinkCounts.followed })))
  registry.registerMetric(countersOf('cpxd_jwks_refreshes_total', 'Fetches of remote JWKS, by result', 'result', () => app.jwksRefreshCounts()))
  registry.registerMetric(countersOf('cpxd_config_reloads_total', 'Config reloads since start, by result', 'result', () => app.reloadCounts()))
}

/** A counter whose values, by one label, are read at scrape time from where they are counted. */
function countersOf (name: string, help: string, label: string, read: () => Readonly<Record<string, number>>): Counter {
  return new Counter({
    name,
    help,
    labelNames: [label],
    registers: [],
    collect () {
      this.reset()
      for (const [value, count] of Object.entries(read())) this.inc({ [label]: value }, count)
    }
  })
}
