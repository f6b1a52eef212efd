import { standardPostureSchema } from '../posture/standard-schema.ts'

// What the OpenAPI document says about bodies cpxd sends pre-serialized or streamed, whose route
// schemas only say "bytes".

/**
 * The posture answer, in its default (standard) shape: JSON or YAML of the same document, or the
 * JSON signed as a JWS. Every 200 also carries RFC 9421 `Signature-Input` and `Signature` headers.
 */
export const postureContent = {
  'application/json': { schema: standardPostureSchema },
  'application/yaml': { schema: standardPostureSchema },
  'application/jose': { schema: { type: 'string', description: 'format=jws: a compact JWS whose payload is exactly the JSON answer (docs/signing.md)' } }
} as const

/** An evidence file, streamed with its size and a Repr-Digest. */
export const evidenceContent = {
  'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } }
} as const
