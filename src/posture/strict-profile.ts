import { asArray, isRecord } from './view-values.ts'
import type { PostureView } from './views.ts'

/**
 * `?profile=strict`: only what the spec's cpx-schema.json declares (version, timestamp,
 * compliance_posture, frameworks of {name, status, score, controls of {id, title, status,
 * evidence_ref}}, evidence_refs as strings, extensions), for consumers that validate with
 * `additionalProperties: false`. Evidence objects collapse to one string each: the URL where the
 * tier sees one, else the `sha256:` hash, else the id. Takes a tier view, so it never shows more
 * than that view.
 */
export function toStrictProfile (view: PostureView): PostureView {
  const out: PostureView = {
    version: view.version,
    timestamp: view.timestamp,
    compliance_posture: view.compliance_posture,
    frameworks: asArray(view.frameworks).map(strictFramework)
  }
  const refs = asArray(view.evidence_refs).map(refToString).filter((r): r is string => r !== undefined)
  if (refs.length > 0) out.evidence_refs = refs
  if (isRecord(view.extensions)) out.extensions = view.extensions
  return out
}

function strictFramework (value: unknown): PostureView {
  const framework = isRecord(value) ? value : {}
  const out: PostureView = { name: framework.name, status: framework.status, score: framework.score }
  if (Array.isArray(framework.controls)) out.controls = framework.controls.map(strictControl)
  return out
}

function strictControl (value: unknown): PostureView {
  const control = isRecord(value) ? value : {}
  const out: PostureView = { id: control.id }
  if (typeof control.title === 'string') out.title = control.title
  out.status = control.status
  const ref = typeof control.evidence_ref === 'string'
    ? control.evidence_ref
    : asArray(control.evidence_refs).map(refToString).find((r) => r !== undefined)
  if (ref !== undefined) out.evidence_ref = ref
  return out
}

function refToString (ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref
  if (!isRecord(ref)) return undefined
  for (const key of ['url', 'hash', 'id'] as const) {
    const value = ref[key]
    if (typeof value === 'string') return value
  }
  return undefined
}
