import { describe, expect, it } from 'vitest'
import { notFound } from '../../src/errors.ts'
import { toCpxdError } from '../../src/http/error-handler.ts'

describe('toCpxdError', () => {
  it('keeps cpxd errors as they are', () => {
    const err = notFound('x')
    expect(toCpxdError(err)).toBe(err)
  })

  it.each([
    [{ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'Request body is too large' }, 413, 'CPXD_ERR_BODY_TOO_LARGE', 'request body is too large'],
    [{ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415, message: 'Unsupported Media Type: x/y' }, 415, 'CPXD_ERR_UNSUPPORTED_MEDIA_TYPE', 'unsupported content type'],
    [{ code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400, message: 'Unexpected token } in JSON at position 7' }, 400, 'CPXD_ERR_BAD_REQUEST', 'the request is malformed'],
    [new Error('ENOENT: /srv/cpxd/secret.yaml'), 500, 'CPXD_ERR_INTERNAL', 'internal error'],
    ['a thrown string', 500, 'CPXD_ERR_INTERNAL', 'internal error'],
    [undefined, 500, 'CPXD_ERR_INTERNAL', 'internal error']
  ])('maps %j to %i %s without the library message', (thrown, status, code, message) => {
    const err = toCpxdError(thrown)
    expect({ status: err.statusCode, code: err.code, message: err.message }).toEqual({ status, code, message })
  })
})
