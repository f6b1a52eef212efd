import { controlRefSelects, type EvidenceRefObject, type PostureDocument } from './document.ts'
import { evidenceKey, type EvidenceIndex, type IndexedEvidence } from '../evidence/evidence-index.ts'

/**
 * Puts a reference `{id, type, description, hash, size_bytes}` for each indexed evidence item of
 * `tenant` on the controls it supports, and at the top level when it supports none, says
 * `top_level: true`, or is public. Withheld items (missing, hash mismatch) get no reference at all.
 */
export function attachEvidence (doc: PostureDocument, tenant: string, index: EvidenceIndex): PostureDocument {
  const indexed = doc.evidence
    .map((item) => index.items.get(evidenceKey(tenant, item.id)))
    .filter((entry): entry is IndexedEvidence => entry !== undefined)
  if (indexed.length === 0) return doc
  const frameworks = doc.frameworks.map((framework) => ({
    ...framework,
    controls: framework.controls?.map((control) => {
      const refs = indexed.filter((e) => e.item.controls.some((ref) => controlRefSelects(ref, framework.name, control.id)))
      return refs.length === 0 ? control : { ...control, evidence_refs: [...(control.evidence_refs ?? []), ...refs.map(referenceTo)] }
    })
  }))
  // Public items go to the top level too: it is the only place the public tier sees references.
  const topLevel = indexed.filter((e) => e.item.controls.length === 0 || e.item.top_level || e.item.public)
  return {
    ...doc,
    frameworks,
    ...(topLevel.length === 0 ? {} : { evidence_refs: [...(doc.evidence_refs ?? []), ...topLevel.map(referenceTo)] })
  }
}

function referenceTo (entry: IndexedEvidence): EvidenceRefObject {
  return {
    id: entry.item.id,
    type: entry.item.type,
    description: entry.item.description,
    hash: `sha256:${entry.sha256}`,
    size_bytes: entry.size,
    visibility: entry.item.public ? 'public' : 'customer'
  }
}
