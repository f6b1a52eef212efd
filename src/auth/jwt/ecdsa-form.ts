/** The order n of each ECDSA curve JOSE uses, by algorithm. */
const CURVE_ORDERS: Readonly<Record<string, bigint>> = {
  ES256: 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551n,
  ES384: 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973n,
  ES512: 0x01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409n
}

export interface TokenForm {
  /** The token with an ECDSA signature's S in its low half: the same for both spellings. */
  readonly canonical: string
  /** False when the signature as sent has S in the high half. */
  readonly lowS: boolean
}

/**
 * An ECDSA signature (r, s) has a twin, (r, n - s), that verifies just the same, so anyone holding
 * a token can spell it a second way. JOSE names no canonical form and identity providers (jose
 * itself) emit both halves alike, so refusing high S would refuse about half of genuine tokens.
 * cpxd instead names a token by its low-S spelling, so both spellings are one token to it, and an
 * issuer known to emit only low S can be held to it (`ecdsa_low_s_only`). Nothing here verifies a
 * signature: jose does that, on the token as sent.
 */
export function tokenForm (token: string, alg: string): TokenForm {
  const n = CURVE_ORDERS[alg]
  const dot = token.lastIndexOf('.')
  if (n === undefined || dot === -1) return { canonical: token, lowS: true }
  const signature = Buffer.from(token.slice(dot + 1), 'base64url')
  const half = signature.length / 2
  if (!Number.isInteger(half) || half === 0) return { canonical: token, lowS: true }
  const s = BigInt(`0x${signature.subarray(half).toString('hex')}`)
  if (s <= n / 2n) return { canonical: token, lowS: true }
  const low = Buffer.from((n - s).toString(16).padStart(half * 2, '0'), 'hex')
  return { canonical: `${token.slice(0, dot + 1)}${Buffer.concat([signature.subarray(0, half), low]).toString('base64url')}`, lowS: false }
}
