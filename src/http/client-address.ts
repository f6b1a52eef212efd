import { isIP } from 'node:net'
import type { FastifyRequest } from 'fastify'

/**
 * The client's address: `request.ip`, which behind a trusted proxy comes from `X-Forwarded-For`,
 * only when it is an IP address. A proxy passes the header on as the client sent it, so anything
 * else there is the client's own text and must not become its rate-limit bucket or logged address;
 * then the address the connection came from is used.
 */
export function clientAddress (request: FastifyRequest): string {
  const ip = request.ip
  return isIP(ip) !== 0 ? ip : (request.raw.socket?.remoteAddress ?? '')
}
