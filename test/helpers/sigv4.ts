import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Checks a presigned S3 URL's signature from AWS's documented SigV4 algorithm, written here from
 * the spec and not from the SDK: canonical request, string to sign, derived signing key, HMAC.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
export function sigV4Valid (url: string, secretKey: string): boolean {
  const u = new URL(url)
  const signature = u.searchParams.get('X-Amz-Signature')
  const credential = u.searchParams.get('X-Amz-Credential')
  const amzDate = u.searchParams.get('X-Amz-Date')
  const signedHeaders = u.searchParams.get('X-Amz-SignedHeaders')
  if (signature === null || credential === null || amzDate === null || signedHeaders === null) return false
  const [, date, region, service, terminator] = credential.split('/')
  if (date === undefined || region === undefined || service === undefined || terminator !== 'aws4_request') return false

  const canonicalQuery = [...u.searchParams]
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&')
  // Only `host` may be signed: a link is followed by a browser that sends no other chosen header.
  if (signedHeaders !== 'host') return false
  const canonicalRequest = ['GET', u.pathname, canonicalQuery, `host:${u.host}\n`, signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n')
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n')
  const signingKey = [date, region, service, 'aws4_request'].reduce<Buffer>(
    (key, part) => createHmac('sha256', key).update(part).digest(),
    Buffer.from(`AWS4${secretKey}`)
  )
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest()
  const actual = Buffer.from(signature, 'hex')
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

function rfc3986 (value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
