import { standardPostureSchema } from './standard-schema.ts'
import { asArray, isRecord } from './view-values.ts'
import type { PostureView } from './views.ts'

/**
 * The default answer (`profile=standard`): a document the upstream OpenCPX SDKs decode as they
 * type it (docs/document-shape.md says why each rule is there).
 * - Every object holds only the keys its SDK type declares; the rest moves to
 *   `extensions.cpxd`, keyed so it can be put back (nothing a tier sees is lost).
 * - Evidence lives at the top level, as objects that all carry a `url` (a `urn:` where the tier
 *   gets no link); a control's `evidence_refs` are strings naming those entries by `hash`, else
 *   by `url`, which is what a client that keeps only declared fields still has.
 * Takes a tier view, so it never shows more than that view.
 */
export function toStandardProfile (view: PostureView): PostureView {
  const evidence = new EvidenceEntries()
  const cpxd: Record<string, unknown> = {}
  const out: PostureView = {}
  const fields: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(view)) {
    if (ROOT_KEYS.has(key)) continue
    fields[key] = value
  }
  out.version = view.version
  out.timestamp = view.timestamp
  out.compliance_posture = view.compliance_posture
  if (isRecord(view.organization)) {
    const { kept, extra } = split(view.organization, ORGANIZATION_KEYS)
    out.organization = kept
    if (extra !== undefined) cpxd.organization = extra
  }
  const frameworkExtras: Record<string, unknown> = {}
  out.frameworks = asArray(view.frameworks).map((value) => {
    const framework = isRecord(value) ? value : {}
    const { kept, extra } = split(framework, FRAMEWORK_KEYS, ['controls'])
    const controlExtras: Record<string, unknown> = {}
    if (Array.isArray(framework.controls)) {
      kept.controls = framework.controls.map((control) => standardControl(isRecord(control) ? control : {}, evidence, controlExtras))
    }
    const extras = { ...(extra === undefined ? {} : { fields: extra }), ...(Object.keys(controlExtras).length === 0 ? {} : { controls: controlExtras }) }
    if (Object.keys(extras).length > 0) frameworkExtras[String(framework.name)] = extras
    return kept
  })
  for (const ref of asArray(view.evidence_refs)) evidence.add(ref)
  if (evidence.size > 0) out.evidence_refs = evidence.entries()
  if (Object.keys(fields).length > 0) cpxd.fields = fields
  if (Object.keys(frameworkExtras).length > 0) cpxd.frameworks = frameworkExtras
  if (evidence.extras !== undefined) cpxd.evidence = evidence.extras
  const extensions = isRecord(view.extensions) ? { ...view.extensions } : {}
  if (Object.keys(cpxd).length > 0) extensions.cpxd = cpxd
  if (Object.keys(extensions).length > 0) out.extensions = extensions
  return out
}

/** The keys each SDK type declares (the Go, Python and TypeScript models agree on them). */
const shape = standardPostureSchema.properties
const ROOT_KEYS = new Set(Object.keys(shape))
const ORGANIZATION_KEYS = new Set(Object.keys(shape.organization.properties))
const FRAMEWORK_KEYS = new Set(Object.keys(shape.frameworks.items.properties))
const CONTROL_KEYS = new Set(Object.keys(shape.frameworks.items.properties.controls.items.properties))
const EVIDENCE_KEYS = new Set(Object.keys(shape.evidence_refs.items.properties))

function standardControl (control: Record<string, unknown>, evidence: EvidenceEntries, extras: Record<string, unknown>): PostureView {
  const { kept, extra } = split(control, CONTROL_KEYS, ['evidence_refs', 'evidence_ref'])
  const refs = [...(control.evidence_ref === undefined ? [] : [control.evidence_ref]), ...asArray(control.evidence_refs)]
    .map((ref) => evidence.add(ref))
    .filter((ref): ref is string => ref !== undefined)
  if (refs.length > 0) kept.evidence_refs = [...new Set(refs)]
  if (extra !== undefined) extras[String(control.id)] = extra
  return kept
}

/** The top-level evidence entries, each once, in order of first appearance. */
class EvidenceEntries {
  private readonly byKey = new Map<string, { entry: Record<string, unknown>, ref: string }>()
  private readonly extraByRef: Record<string, unknown> = {}

  get size (): number {
    return this.byKey.size
  }

  get extras (): Record<string, unknown> | undefined {
    return Object.keys(this.extraByRef).length === 0 ? undefined : this.extraByRef
  }

  entries (): Array<Record<string, unknown>> {
    return [...this.byKey.values()].map((value) => value.entry)
  }

  /** Adds a reference (string or object) and returns the string a control names it by. */
  add (ref: unknown): string | undefined {
    if (typeof ref === 'string') return this.addString(ref)
    if (!isRecord(ref)) return undefined
    const hash = typeof ref.hash === 'string' ? ref.hash : undefined
    const key = typeof ref.id === 'string' ? `id:${ref.id}` : `ref:${hash ?? (typeof ref.url === 'string' ? ref.url : JSON.stringify(ref))}`
    const known = this.byKey.get(key)
    if (known !== undefined) return known.ref
    const { kept, extra } = split(ref, EVIDENCE_KEYS)
    const url = typeof kept.url === 'string' ? kept.url : referenceUrn(typeof ref.id === 'string' ? ref.id : hash ?? key)
    const entry: Record<string, unknown> = { url, ...withoutKey(kept, 'url') }
    const name = typeof entry.hash === 'string' ? entry.hash : url
    this.byKey.set(key, { entry, ref: name })
    if (extra !== undefined) this.extraByRef[name] = extra
    return name
  }

  /** A string reference (a URL, a hash, a document number) becomes an entry of its own. */
  private addString (ref: string): string {
    const key = `ref:${ref}`
    const known = this.byKey.get(key)
    if (known !== undefined) return known.ref
    if (/^sha256:/.test(ref)) {
      this.byKey.set(key, { entry: { url: referenceUrn(ref), hash: ref }, ref })
      return ref
    }
    const url = /^[a-z][a-z0-9+.-]*:/i.test(ref) ? ref : referenceUrn(ref)
    this.byKey.set(key, { entry: { url }, ref: url })
    if (url !== ref) this.extraByRef[url] = { ref }
    return url
  }
}

/** A URI that names, without locating: for evidence the tier gets no link to. */
function referenceUrn (name: string): string {
  return `urn:cpxd:evidence:${encodeURIComponent(name)}`
}

/** The keys a type declares, and the rest (undefined when there is none). */
function split (value: Record<string, unknown>, keys: ReadonlySet<string>, drop: readonly string[] = []): { kept: PostureView, extra: Record<string, unknown> | undefined } {
  const kept: PostureView = {}
  const extra: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || drop.includes(key)) continue
    if (keys.has(key)) kept[key] = item
    else extra[key] = item
  }
  return { kept, extra: Object.keys(extra).length === 0 ? undefined : extra }
}

function withoutKey (value: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _omitted, ...rest } = value
  return rest
}
