import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { documentSchema, type PostureDocument } from '../../src/posture/document.ts'
import { rollupPosture } from '../../src/posture/rollup.ts'
import { toStrictProfile } from '../../src/posture/strict-profile.ts'
import { buildView } from '../../src/posture/views.ts'
import { EXAMPLE_FILES, specPath } from '../helpers/spec.ts'

describe('?profile=strict against the spec JSON Schema', () => {
  const ajv = new Ajv({ allErrors: true, strict: false })
  ;(addFormats as unknown as (a: Ajv) => void)(ajv)
  const validate = ajv.compile(JSON.parse(readFileSync(specPath('cpx-schema.json'), 'utf8')))

  it.each(EXAMPLE_FILES.flatMap((file) => (['public', 'customer', 'auditor'] as const).map((tier) => [file, tier] as const)))(
    '%s as %s validates', (file, tier) => {
      const parsed = documentSchema.parse(JSON.parse(readFileSync(specPath('examples', file), 'utf8')))
      const doc = { ...parsed, timestamp: parsed.timestamp ?? '2026-01-01T00:00:00Z', compliance_posture: parsed.compliance_posture ?? rollupPosture(parsed.frameworks.map((f) => f.status)) } as PostureDocument
      const strict = toStrictProfile(buildView(doc, tier))
      const ok = validate(strict)
      expect(ok, JSON.stringify((validate as { errors?: unknown }).errors)).toBe(true)
    })

  it('the full profile of the same document does not validate, so the check has teeth', () => {
    const parsed = documentSchema.parse(JSON.parse(readFileSync(specPath('examples', 'payment-saas-example.json'), 'utf8')))
    expect(validate(buildView(parsed as PostureDocument, 'auditor'))).toBe(false)
  })
})
