import { z } from 'zod'
import { TIERS } from '../domain/tier.ts'
import { durationOrOff, MAX_STALE_AFTER_MS, MIN_STALE_AFTER_MS } from '../config/duration.ts'
import { evidenceItemSchema } from '../evidence/evidence-item.ts'

/**
 * The OpenCPX v1 document as cpxd reads it from a posture file. It follows the spec's prose and
 * examples where they go beyond cpx-schema.json (organization, evidence reference objects,
 * control `evidence_refs`, audit dates), and keeps unknown and `x-{vendor}-{field}` keys
 * (loose objects), because the spec allows vendor extensions everywhere.
 * `visibility` is cpxd's own addition: the lowest tier that may see an item; it never reaches output.
 */

/** A system id as `?system_id=` takes it. */
export const SYSTEM_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/

/** The one system a posture file that names none covers. */
export const DEFAULT_SYSTEM_ID = 'default'

export const FRAMEWORK_STATUSES = ['compliant', 'partial', 'non_compliant'] as const
export const POSTURE_STATUSES = ['compliant', 'partially_compliant', 'non_compliant', 'unknown'] as const

export type FrameworkStatus = typeof FRAMEWORK_STATUSES[number]
export type PostureStatus = typeof POSTURE_STATUSES[number]

const visibility = z.enum(TIERS)

/** `2024-01-10` or a full ISO 8601 date-time: the examples use both for audit dates. */
const dateLike = z.string().refine(
  (value) => /^\d{4}-\d{2}-\d{2}([Tt ][\d:.]+([Zz]|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value)),
  'must be a date (YYYY-MM-DD) or an ISO 8601 date-time'
)

export const evidenceRefObjectSchema = z.looseObject({
  id: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  description: z.string().optional(),
  url: z.string().min(1).optional(),
  expires: z.iso.datetime({ offset: true }).optional(),
  // The spec's own examples carry placeholders such as `sha256:abc123...`; cpxd-computed hashes
  // are always 64 hex digits.
  hash: z.string().regex(/^sha256:\S+$/, 'must start with sha256:').optional(),
  size_bytes: z.number().int().nonnegative().optional(),
  visibility: visibility.optional()
})

export const evidenceRefSchema = z.union([z.string().min(1), evidenceRefObjectSchema])

export const controlSchema = z.looseObject({
  id: z.string().min(1),
  title: z.string().optional(),
  category: z.string().optional(),
  status: z.enum(FRAMEWORK_STATUSES),
  reason: z.string().optional(),
  remediation_date: dateLike.optional(),
  implementation_notes: z.string().optional(),
  evidence_ref: z.string().min(1).optional(),
  evidence_refs: z.array(evidenceRefSchema).optional(),
  visibility: visibility.optional()
})

export const frameworkSchema = z.looseObject({
  name: z.string().min(1).max(128),
  version: z.string().optional(),
  status: z.enum(FRAMEWORK_STATUSES),
  score: z.number().min(0).max(1),
  last_audit: dateLike.optional(),
  auditor: z.string().optional(),
  last_assessment: dateLike.optional(),
  assessor: z.string().optional(),
  next_audit: dateLike.optional(),
  report_ref: z.string().optional(),
  certificate_ref: z.string().optional(),
  controls: z.array(controlSchema).optional(),
  visibility: visibility.optional()
}).superRefine((framework, ctx) => {
  const seen = new Set<string>()
  framework.controls?.forEach((control, index) => {
    if (seen.has(control.id)) {
      ctx.addIssue({ code: 'custom', message: `duplicate control id "${control.id}"`, path: ['controls', index, 'id'] })
    }
    seen.add(control.id)
  })
})

export const organizationSchema = z.looseObject({
  name: z.string().optional(),
  domain: z.string().optional(),
  contact: z.string().optional()
})

export const documentSchema = z.looseObject({
  version: z.string().regex(/^v[0-9]+$/, 'must look like v1').default('v1'),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  compliance_posture: z.enum(POSTURE_STATUSES).optional(),
  organization: organizationSchema.optional(),
  frameworks: z.array(frameworkSchema),
  evidence_refs: z.array(evidenceRefSchema).optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
  evidence: z.array(evidenceItemSchema).default([]),
  /**
   * cpxd's own, never served: the systems (products, environments) this posture covers, each with
   * the frameworks that apply to it (all when none are listed). `?system_id=` selects one. Default:
   * one system, `default`, covering every framework.
   */
  systems: z.array(z.strictObject({
    id: z.string().regex(SYSTEM_ID_PATTERN, `must match ${SYSTEM_ID_PATTERN.source}`),
    name: z.string().min(1).max(200).optional(),
    frameworks: z.array(z.string().min(1).max(128)).optional()
  })).min(1).default([{ id: DEFAULT_SYSTEM_ID }]),
  /** cpxd's own: overrides `posture.stale_after` for this file (`off` never goes stale); never served. */
  stale_after: durationOrOff(MIN_STALE_AFTER_MS, MAX_STALE_AFTER_MS).optional()
}).superRefine((doc, ctx) => {
  if (doc.extensions?.cpxd !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'is where cpxd puts what the SDK types lack in its answers; name your extension after your own organization', path: ['extensions', 'cpxd'] })
  }
  const frameworkKeys = new Set(doc.frameworks.map((framework) => frameworkKey(framework.name)))
  const systemIds = new Set<string>()
  doc.systems.forEach((system, index) => {
    if (systemIds.has(system.id)) ctx.addIssue({ code: 'custom', message: `system "${system.id}" is listed twice`, path: ['systems', index, 'id'] })
    systemIds.add(system.id)
    system.frameworks?.forEach((name, nameIndex) => {
      if (!frameworkKeys.has(frameworkKey(name))) ctx.addIssue({ code: 'custom', message: `no framework "${name}" in this posture`, path: ['systems', index, 'frameworks', nameIndex] })
    })
  })
  const seen = new Map<string, number>()
  doc.frameworks.forEach((framework, index) => {
    const key = frameworkKey(framework.name)
    if (seen.has(key)) {
      ctx.addIssue({ code: 'custom', message: `framework "${framework.name}" is listed twice`, path: ['frameworks', index, 'name'] })
    }
    seen.set(key, index)
  })
  const ids = new Set<string>()
  doc.evidence.forEach((item, index) => {
    if (ids.has(item.id)) ctx.addIssue({ code: 'custom', message: `evidence id "${item.id}" is listed twice`, path: ['evidence', index, 'id'] })
    ids.add(item.id)
    item.controls.forEach((ref, refIndex) => {
      if (!doc.frameworks.some((f) => (f.controls ?? []).some((c) => controlRefSelects(ref, f.name, c.id)))) {
        ctx.addIssue({ code: 'custom', message: `no control "${ref}" in this posture`, path: ['evidence', index, 'controls', refIndex] })
      }
    })
  })
})

/** `CC6.1` names that control in any framework; `SOC2:CC6.1` in one framework only. */
export function controlRefSelects (ref: string, frameworkName: string, controlId: string): boolean {
  const colon = ref.indexOf(':')
  if (colon === -1) return ref === controlId
  return ref.slice(colon + 1) === controlId && frameworkKey(ref.slice(0, colon)) === frameworkKey(frameworkName)
}

export type EvidenceRefObject = z.output<typeof evidenceRefObjectSchema>
export type EvidenceRef = z.output<typeof evidenceRefSchema>
export type Control = z.output<typeof controlSchema>
export type Framework = z.output<typeof frameworkSchema>
export type PostureInput = z.output<typeof documentSchema>

/** A validated document with the fields cpxd fills in when a file leaves them out. */
export type PostureDocument = PostureInput & { timestamp: string, compliance_posture: PostureStatus }

/**
 * How `?framework=` matches a name: case and punctuation do not count, so `soc2`, `SOC 2` and
 * `SOC-2` name the same framework.
 */
export function frameworkKey (name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '')
}
