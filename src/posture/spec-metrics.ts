import { Gauge, Registry } from 'prom-client'
import { asArray, isRecord } from './view-values.ts'
import type { PostureView } from './views.ts'

/** The spec's numbers for a status: 1 compliant, 0.5 partial, 0 non-compliant. */
const STATUS_VALUE: Readonly<Record<string, number>> = { compliant: 1, partial: 0.5, non_compliant: 0 }

/** How far ahead an evidence item counts as expiring soon, as the spec says. */
export const EXPIRING_SOON_MS = 30 * 86_400_000

/** Every metric the spec's Prometheus format names for a posture, with its help text and labels. */
const SPEC_METRICS = {
  opencpx_compliance_score: ['Overall compliance score for a framework (0.0 to 1.0)', ['framework']],
  opencpx_compliance_status: ['Current compliance status (1=compliant, 0.5=partial, 0=non_compliant)', ['framework']],
  opencpx_controls_total: ['Total number of controls in a framework', ['framework']],
  opencpx_controls_compliant: ['Number of compliant controls', ['framework']],
  opencpx_controls_non_compliant: ['Number of non-compliant controls', ['framework']],
  opencpx_controls_not_applicable: ['Number of not-applicable controls', ['framework']],
  opencpx_evidence_total: ['Total number of evidence items', ['framework']],
  opencpx_evidence_expiring_soon: ['Number of evidence items expiring within 30 days', ['framework']],
  opencpx_evidence_expired: ['Number of expired evidence items', ['framework']],
  opencpx_last_updated_timestamp: ['Unix timestamp of last compliance data update', ['framework']],
  opencpx_last_audit_timestamp: ['Unix timestamp of last audit', ['framework']],
  opencpx_next_audit_timestamp: ['Unix timestamp of next scheduled audit', ['framework']],
  opencpx_control_status: ['Status of individual control (1=compliant, 0.5=partial, 0=non_compliant)', ['framework', 'control', 'category']],
  opencpx_control_evidence_count: ['Number of evidence items for a control', ['framework', 'control']]
} as const

export type SpecMetricName = keyof typeof SPEC_METRICS
export const SPEC_METRIC_NAMES = Object.keys(SPEC_METRICS) as SpecMetricName[]

/**
 * The spec's metrics (metrics/cpx-prometheus-format.md) for one tier view of a posture, in the
 * Prometheus text format: only what that view shows. With tenants named, every sample carries a
 * `tenant` label (the operator's view of all of them). The public view has no controls, so its
 * control and evidence counts are left out rather than reported as zero.
 */
export async function specMetricsText (postures: ReadonlyArray<{ readonly tenant?: string, readonly view: PostureView }>, now = Date.now()): Promise<string> {
  const registry = new Registry()
  const byTenant = postures.some((posture) => posture.tenant !== undefined)
  const gauges = Object.fromEntries(SPEC_METRIC_NAMES.map((name) => {
    const [help, labelNames] = SPEC_METRICS[name]
    return [name, new Gauge({ name, help, labelNames: byTenant ? ['tenant', ...labelNames] : [...labelNames], registers: [registry] })]
  })) as Record<SpecMetricName, Gauge>
  for (const { tenant, view } of postures) setPostureMetrics(gauges, view, tenant === undefined ? {} : { tenant }, now)
  return registry.metrics()
}

function setPostureMetrics (gauges: Record<SpecMetricName, Gauge>, view: PostureView, base: Record<string, string>, now: number): void {
  const updated = seconds(view.timestamp)
  for (const value of asArray(view.frameworks)) {
    if (!isRecord(value)) continue
    const framework = String(value.name)
    const labels = { ...base, framework }
    if (typeof value.score === 'number') gauges.opencpx_compliance_score.set(labels, value.score)
    const status = STATUS_VALUE[String(value.status)]
    if (status !== undefined) gauges.opencpx_compliance_status.set(labels, status)
    if (updated !== undefined) gauges.opencpx_last_updated_timestamp.set(labels, updated)
    const lastAudit = seconds(value.last_audit ?? value.last_assessment)
    if (lastAudit !== undefined) gauges.opencpx_last_audit_timestamp.set(labels, lastAudit)
    const nextAudit = seconds(value.next_audit)
    if (nextAudit !== undefined) gauges.opencpx_next_audit_timestamp.set(labels, nextAudit)
    if (Array.isArray(value.controls)) setControlMetrics(gauges, labels, value.controls, now)
  }
}

function setControlMetrics (gauges: Record<SpecMetricName, Gauge>, labels: Record<string, string>, controls: unknown[], now: number): void {
  const statuses = controls.filter(isRecord).map((control) => String(control.status))
  gauges.opencpx_controls_total.set(labels, statuses.length)
  gauges.opencpx_controls_compliant.set(labels, statuses.filter((s) => s === 'compliant').length)
  gauges.opencpx_controls_non_compliant.set(labels, statuses.filter((s) => s === 'non_compliant').length)
  gauges.opencpx_controls_not_applicable.set(labels, statuses.filter((s) => STATUS_VALUE[s] === undefined).length)
  const evidence = new Map<string, unknown>()
  for (const control of controls.filter(isRecord)) {
    const refs = [...asArray(control.evidence_refs), ...(control.evidence_ref === undefined ? [] : [control.evidence_ref])]
    const status = STATUS_VALUE[String(control.status)]
    if (status !== undefined) gauges.opencpx_control_status.set({ ...labels, control: String(control.id), category: typeof control.category === 'string' ? control.category : '' }, status)
    gauges.opencpx_control_evidence_count.set({ ...labels, control: String(control.id) }, refs.length)
    for (const ref of refs) evidence.set(isRecord(ref) ? String(ref.id ?? ref.hash ?? ref.url) : String(ref), ref)
  }
  const expiries = [...evidence.values()].map((ref) => (isRecord(ref) ? Date.parse(String(ref.expires)) : Number.NaN)).filter((at) => !Number.isNaN(at))
  gauges.opencpx_evidence_total.set(labels, evidence.size)
  gauges.opencpx_evidence_expired.set(labels, expiries.filter((at) => at <= now).length)
  gauges.opencpx_evidence_expiring_soon.set(labels, expiries.filter((at) => at > now && at - now <= EXPIRING_SOON_MS).length)
}

/** Unix seconds of a date or date-time string, if it is one. */
function seconds (value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.floor(at / 1000)
}
