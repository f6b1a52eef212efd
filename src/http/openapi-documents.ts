import { standardPostureSchema } from '../posture/standard-schema.ts'

// What the OpenAPI document says about bodies cpxd sends pre-serialized or streamed, whose route
// schemas only say "bytes".

/** The posture answer, in its default (standard) shape: JSON or YAML of the same document. */
export const postureContent = {
  'application/json': { schema: standardPostureSchema },
  'application/yaml': { schema: standardPostureSchema }
} as const

/** An evidence file, streamed with its size and a Repr-Digest. */
export const evidenceContent = {
  'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } }
} as const
