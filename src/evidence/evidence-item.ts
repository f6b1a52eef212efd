import { z } from 'zod'

/** Evidence item ids appear in URLs and file names, so they are kept to a safe alphabet. */
export const EVIDENCE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/

/**
 * One evidence object in the posture file's manifest. cpxd hashes it, attaches a reference to
 * each control it supports (`controls`: `CC6.1`, or `SOC2:CC6.1` for one framework) or to the
 * top level when it supports none (or `top_level: true`), and hands auditors expiring links.
 */
export const evidenceItemSchema = z.strictObject({
  id: z.string().regex(EVIDENCE_ID_PATTERN, 'must match ^[a-z0-9][a-z0-9._-]{0,127}$'),
  description: z.string().min(1),
  type: z.string().min(1).default('document'),
  backend: z.enum(['local', 's3', 'gcs'], { error: 'backend must be local, s3 or gcs' }),
  location: z.string().min(1).max(1024).refine(
    (value) => !value.startsWith('/') && !value.split(/[\\/]/).includes('..') && !value.includes('\0'),
    'must be a relative path or object key (no leading /, no ..)'
  ),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits').optional(),
  controls: z.array(z.string().min(1)).default([]),
  top_level: z.boolean().default(false),
  /** Public items (a published report cover page) are shown whole to every tier. */
  public: z.boolean().default(false)
})

export type EvidenceItem = z.output<typeof evidenceItemSchema>
