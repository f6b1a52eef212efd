/** A view's value as a list, when it is one (else none). */
export function asArray (value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

/** A view's value as a mapping, when it is one. */
export function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
