import { FRAMEWORK_STATUSES, POSTURE_STATUSES } from './document.ts'

/**
 * The default answer's shape (`profile=standard`, docs/document-shape.md) as JSON Schema 2020-12:
 * each object has exactly the keys the upstream SDK types declare. standard-profile.ts keeps to
 * these keys, and the OpenAPI document describes the answer with this schema.
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

const status = { type: 'string', enum: FRAMEWORK_STATUSES } as const

export const standardPostureSchema = {
  type: 'object',
  required: ['version', 'timestamp', 'compliance_posture', 'frameworks'],
  additionalProperties: false,
  properties: {
    version: { type: 'string', pattern: '^v[0-9]+$' },
    timestamp: { type: 'string', format: 'date-time' },
    compliance_posture: { type: 'string', enum: POSTURE_STATUSES },
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
