import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'

/** Asserts cpxd's error shape exactly: status, code, message, and the request id echoed. */
export function expectError (response: LightMyRequestResponse, status: number, code: string, message: string): void {
  expect(response.statusCode).toBe(status)
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
  expect(response.json()).toEqual({ error: { code, message, request_id: response.headers['x-request-id'] } })
  expect(response.body).not.toMatch(/node_modules|\/src\/|\bat \w+ \(|stack/i)
}
