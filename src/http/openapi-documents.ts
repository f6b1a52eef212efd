/**
 * What the OpenAPI document says about bodies that cpxd sends pre-serialized or streamed, whose
 * route schemas only say "bytes": the posture document in its default (standard) shape
 * (docs/document-shape.md), and evidence files. JSON Schema 2020-12, as OpenAPI 3.1 uses it.
 */
const evidenceEntry = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', description: 'an evidence link where the tier gets one, else urn:cpxd:evidence:<id>' },
    type: { type: 'string' },
    description: { type: 'string' },
    expires: { type: 'string', format: 'date-time' },
    hash: { type: 'string', pattern: '^sha256:' },
    size_bytes: { type: 'integer', minimum: 0 }
  }
} as const

const status = { type: 'string', enum: ['compliant', 'partial', 'non_compliant'] } as const

export const standardPostureSchema = {
  type: 'object',
  required: ['version', 'timestamp', 'compliance_posture', 'frameworks'],
  additionalProperties: false,
  properties: {
    version: { type: 'string', pattern: '^v[0-9]+$' },
    timestamp: { type: 'string', format: 'date-time' },
    compliance_posture: { type: 'string', enum: ['compliant', 'partially_compliant', 'non_compliant', 'unknown'] },
    organization: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: { type: 'string' }, domain: { type: 'string' }, contact: { type: 'string' } }
    },
    frameworks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'status', 'score'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          version: { type: 'string' },
          status,
          score: { type: 'number', minimum: 0, maximum: 1 },
          last_audit: { type: 'string' },
          auditor: { type: 'string' },
          report_ref: { type: 'string' },
          certificate_ref: { type: 'string' },
          controls: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'status'],
              additionalProperties: false,
              properties: {
                id: { type: 'string' },
                title: { type: 'string' },
                status,
                reason: { type: 'string' },
                remediation_date: { type: 'string' },
                evidence_refs: { type: 'array', items: { type: 'string' }, description: 'each names a top-level evidence entry by its hash, else its url' }
              }
            }
          }
        }
      }
    },
    evidence_refs: { type: 'array', items: evidenceEntry },
    extensions: { type: 'object', description: 'vendor extensions by vendor name; `cpxd` holds what the SDK types lack (docs/document-shape.md)' }
  }
} as const

/** The posture answer: JSON or YAML of the same document. */
export const postureContent = {
  'application/json': { schema: standardPostureSchema },
  'application/yaml': { schema: standardPostureSchema }
} as const

/** An evidence file, streamed with its size and a Repr-Digest. */
export const evidenceContent = {
  'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } }
} as const
