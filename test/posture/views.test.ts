import { describe, expect, it } from 'vitest'
import type { PostureDocument } from '../../src/posture/document.ts'
import { documentSchema } from '../../src/posture/document.ts'
import { buildView } from '../../src/posture/views.ts'

const doc = {
  ...documentSchema.parse({
    $schema: '../cpx-schema.json',
    _comment: 'internal note',
    version: 'v1',
    timestamp: '2026-01-01T00:00:00Z',
    organization: { name: 'Northwind' },
    'x-nw-region': 'eu',
    frameworks: [
      {
        name: 'SOC2',
        version: 'Type II',
        status: 'partial',
        score: 0.9,
        auditor: 'Harbor',
        last_audit: '2026-01-01',
        trust_service_criteria: ['Security'],
        controls: [
          {
            id: 'CC1',
            title: 'Integrity',
            category: 'Environment',
            status: 'partial',
            reason: 'training overdue',
            remediation_date: '2026-06-01',
            implementation_notes: 'internal detail',
            evidence_refs: [
              'https://evidence.example/cc1.pdf',
              'DOC-42',
              { id: 'e1', description: 'report', url: 'https://e.example/e1', expires: '2026-01-02T00:00:00Z', hash: `sha256:${'a'.repeat(64)}`, size_bytes: 10 }
            ]
          },
          { id: 'CC2', status: 'compliant', visibility: 'auditor' }
        ]
      },
      { name: 'ISO42001', status: 'non_compliant', score: 0.2, visibility: 'customer' }
    ],
    evidence_refs: [
      { id: 'pub', url: 'https://trust.example/cover.pdf', visibility: 'public' },
      { id: 'priv', url: 'https://e.example/priv', hash: `sha256:${'b'.repeat(64)}` }
    ],
    extensions: { nw: { breaches: 0 } }
  }),
  compliance_posture: 'partially_compliant'
} as PostureDocument

describe('buildView', () => {
  it('public: framework summaries, organization and public evidence only', () => {
    const view = buildView(doc, 'public')
    expect(view).toEqual({
      version: 'v1',
      timestamp: '2026-01-01T00:00:00Z',
      compliance_posture: 'partially_compliant',
      organization: { name: 'Northwind' },
      frameworks: [{ name: 'SOC2', version: 'Type II', status: 'partial', score: 0.9, last_audit: '2026-01-01', auditor: 'Harbor' }],
      evidence_refs: [{ id: 'pub', url: 'https://trust.example/cover.pdf' }]
    })
  })

  it('customer: control detail and evidence metadata, no download URLs, no auditor-only items', () => {
    const view = buildView(doc, 'customer') as Record<string, any>
    expect(view.frameworks.map((f: { name: string }) => f.name)).toEqual(['SOC2', 'ISO42001'])
    expect(view.frameworks[0].trust_service_criteria).toEqual(['Security'])
    expect(view.frameworks[0].controls).toEqual([{
      id: 'CC1',
      title: 'Integrity',
      category: 'Environment',
      status: 'partial',
      reason: 'training overdue',
      remediation_date: '2026-06-01',
      evidence_refs: ['DOC-42', { id: 'e1', description: 'report', hash: `sha256:${'a'.repeat(64)}`, size_bytes: 10 }]
    }])
    expect(view.evidence_refs).toEqual([
      { id: 'pub', url: 'https://trust.example/cover.pdf' },
      { id: 'priv', hash: `sha256:${'b'.repeat(64)}` }
    ])
    expect(view.extensions).toEqual({ nw: { breaches: 0 } })
    expect(view['x-nw-region']).toBe('eu')
  })

  it('auditor: everything, with URLs, minus file-only keys', () => {
    const view = buildView(doc, 'auditor') as Record<string, any>
    const controls = view.frameworks[0].controls
    expect(controls.map((c: { id: string }) => c.id)).toEqual(['CC1', 'CC2'])
    expect(controls[0].implementation_notes).toBe('internal detail')
    expect(controls[0].evidence_refs[0]).toBe('https://evidence.example/cc1.pdf')
    expect(controls[0].evidence_refs[2].url).toBe('https://e.example/e1')
    expect(view.evidence_refs[1].url).toBe('https://e.example/priv')
  })

  it('never emits visibility, $schema or _comment', () => {
    for (const tier of ['public', 'customer', 'auditor'] as const) {
      const text = JSON.stringify(buildView(doc, tier))
      expect(text).not.toMatch(/"visibility"|"\$schema"|"_comment"/)
    }
  })
})
