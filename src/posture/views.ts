import { tierAllows, type Tier } from '../domain/tier.ts'
import type { Control, EvidenceRef, Framework, PostureDocument } from './document.ts'

/**
 * What each tier sees of a posture document (docs/security-model.md has the table):
 * - public: framework summaries, the organization, and evidence marked `visibility: public`.
 * - customer: plus framework detail, controls (id, title, category, status, reason,
 *   remediation_date) and evidence references without download URLs.
 * - auditor: everything in the file except cpxd's own `visibility` keys.
 * An item marked with a higher `visibility` than the caller's tier is left out whole.
 */
export type PostureView = Record<string, unknown>

/** A download link for an evidence item of the manifest: every item for auditors, public items for all. */
export type EvidenceLinkFor = (itemId: string) => { url: string, expires: string } | undefined

/** Framework keys that make up the public summary; everything else is customer detail. */
const PUBLIC_FRAMEWORK_KEYS = [
  'name', 'version', 'status', 'score', 'last_audit', 'auditor', 'last_assessment', 'assessor',
  'next_audit', 'report_ref', 'certificate_ref'
] as const

const CUSTOMER_CONTROL_KEYS = ['id', 'title', 'category', 'status', 'reason', 'remediation_date'] as const

/** Root keys that describe the file, not the posture. */
const FILE_ONLY_KEYS = new Set(['$schema', '_comment', 'visibility', 'evidence', 'stale_after', 'systems'])

const DEFAULT_VISIBILITY = { framework: 'public', control: 'customer', evidence: 'customer' } as const

export function buildView (doc: PostureDocument, tier: Tier, linkFor?: EvidenceLinkFor): PostureView {
  if (tier === 'public') return publicView(doc, linkFor)
  const view: PostureView = {}
  for (const [key, value] of Object.entries(doc)) {
    if (FILE_ONLY_KEYS.has(key) || value === undefined) continue
    view[key] = value
  }
  view.frameworks = doc.frameworks
    .filter((f) => tierAllows(tier, f.visibility ?? DEFAULT_VISIBILITY.framework))
    .map((f) => detailedFramework(f, tier, linkFor))
  setRefs(view, 'evidence_refs', doc.evidence_refs, tier, linkFor)
  return view
}

function publicView (doc: PostureDocument, linkFor: EvidenceLinkFor | undefined): PostureView {
  const view: PostureView = {
    version: doc.version,
    timestamp: doc.timestamp,
    compliance_posture: doc.compliance_posture
  }
  if (doc.organization !== undefined) view.organization = doc.organization
  view.frameworks = doc.frameworks
    .filter((f) => (f.visibility ?? DEFAULT_VISIBILITY.framework) === 'public')
    .map(publicFramework)
  setRefs(view, 'evidence_refs', doc.evidence_refs, 'public', linkFor)
  return view
}

function publicFramework (framework: Framework): PostureView {
  const out: PostureView = {}
  for (const key of PUBLIC_FRAMEWORK_KEYS) {
    if (framework[key] !== undefined) out[key] = framework[key]
  }
  return out
}

function detailedFramework (framework: Framework, tier: Tier, linkFor: EvidenceLinkFor | undefined): PostureView {
  const out: PostureView = {}
  for (const [key, value] of Object.entries(framework)) {
    if (key === 'visibility' || key === 'controls' || value === undefined) continue
    out[key] = value
  }
  if (framework.controls !== undefined) {
    out.controls = framework.controls
      .filter((c) => tierAllows(tier, c.visibility ?? DEFAULT_VISIBILITY.control))
      .map((c) => (tier === 'auditor' ? auditorControl(c, linkFor) : customerControl(c, linkFor)))
  }
  return out
}

function customerControl (control: Control, linkFor: EvidenceLinkFor | undefined): PostureView {
  const out: PostureView = {}
  for (const key of CUSTOMER_CONTROL_KEYS) {
    if (control[key] !== undefined) out[key] = control[key]
  }
  if (control.evidence_ref !== undefined && !isDownloadUrl(control.evidence_ref)) out.evidence_ref = control.evidence_ref
  setRefs(out, 'evidence_refs', control.evidence_refs, 'customer', linkFor)
  return out
}

function auditorControl (control: Control, linkFor: EvidenceLinkFor | undefined): PostureView {
  const out: PostureView = {}
  for (const [key, value] of Object.entries(control)) {
    if (key === 'visibility' || value === undefined) continue
    out[key] = value
  }
  setRefs(out, 'evidence_refs', control.evidence_refs, 'auditor', linkFor)
  return out
}

function setRefs (target: PostureView, key: string, refs: readonly EvidenceRef[] | undefined, tier: Tier, linkFor?: EvidenceLinkFor): void {
  if (refs === undefined) return
  const visible = refs.flatMap((ref) => refForTier(ref, tier, linkFor))
  if (visible.length > 0 || tier === 'auditor') target[key] = visible
}

/**
 * A plain string reference is a URL or an identifier. Below the auditor tier a URL is a download
 * link and is withheld; an identifier (a hash, a document number) is kept. Object references
 * lose `url` and `expires` below the auditor tier, unless they are marked public.
 */
function refForTier (ref: EvidenceRef, tier: Tier, linkFor?: EvidenceLinkFor): EvidenceRef[] {
  if (typeof ref === 'string') {
    if (tier === 'public') return []
    return tier === 'auditor' || !isDownloadUrl(ref) ? [ref] : []
  }
  const needed = ref.visibility ?? DEFAULT_VISIBILITY.evidence
  if (!tierAllows(tier, needed)) return []
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(ref)) {
    if (key === 'visibility' || value === undefined) continue
    if ((key === 'url' || key === 'expires') && tier === 'customer' && needed !== 'public') continue
    out[key] = value
  }
  // Manifest items get a fresh, expiring link: every item for auditors, public items for everyone.
  const link = (tier === 'auditor' || needed === 'public') && typeof ref.id === 'string' ? linkFor?.(ref.id) : undefined
  if (link !== undefined) Object.assign(out, link)
  return [out]
}

function isDownloadUrl (ref: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(ref)
}
