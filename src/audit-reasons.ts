/**
 * Every value an audit line's `reason` can take, declared once, with what it means. Clients never
 * see these (they get an error code and a message); ops teams search the audit log for them.
 * docs/audit-log.md lists each one, and a test keeps the two in step.
 */
export const AUDIT_REASONS = {
  // A credential was missing or could not be read (401).
  missing_credentials: 'no credential was sent where one is required',
  two_credentials: 'both X-API-Key and Authorization were sent',
  duplicate_credentials: 'a credential header sent twice',
  malformed_api_key: 'an empty or repeated X-API-Key header',
  not_bearer: 'an Authorization header that is not a Bearer credential',
  credential_too_long: 'a credential over 8 KiB',
  unknown_api_key: 'an API key that matches no configured key',
  jwt_not_configured: 'a bearer token sent to a server that trusts no JWT issuer',
  // A JWT was refused (401); docs/authentication.md says which token gets which.
  malformed_token: 'a token that is not a compact JWS',
  alg_none: 'a token with alg none',
  alg_not_allowed: "an algorithm not on the issuer's allowlist",
  crit_not_supported: 'a token with a crit header',
  embedded_key_header: 'a token that names its own key (jwk, jku, x5u, x5c)',
  unknown_issuer: 'an iss no configured issuer has',
  bad_signature: 'a signature that does not verify',
  unknown_kid: 'a kid that matches no key',
  ambiguous_kid: 'a kid that matches several keys',
  not_supported: 'a key or algorithm jose cannot use',
  verification_failed: 'any other verification failure',
  expired: 'exp has passed (beyond clock_tolerance)',
  too_old: 'issued longer ago than max_token_age',
  exp_too_far: 'exp further ahead than max_token_age',
  not_yet_valid: 'nbf is in the future',
  wrong_issuer: 'iss differs from the issuer the token was checked for',
  wrong_audience: 'aud does not name this server',
  missing_exp: 'no exp claim',
  missing_iat: 'no iat claim',
  missing_sub: 'no sub claim',
  invalid_claim: 'a registered claim of the wrong type',
  bad_sub: 'a sub that is empty, not a string or over 256 characters',
  bad_tier_claim: 'a tier claim that is not a tier',
  bad_tenants_claim: 'a tenants claim that is not a list of tenant ids',
  high_s_signature: 'an ECDSA signature with S in the high half, from an issuer held to low S',
  jwks_unavailable: "no key could be had from the issuer's JWKS (503)",
  // The rate limit (429).
  too_many_in_flight: 'the caller already has rate_limit.max_in_flight requests unanswered',
  client_gone: 'the client closed the connection before cpxd could answer (nothing was sent)',
  // Authorization (403).
  tenant_not_granted: 'the principal may not read the tenant asked for',
  // Evidence links.
  bad_link_signature: 'an evidence link altered, or made for another tenant or item (403)',
  link_expired: 'a correctly signed evidence link past its expiry (410)',
  link_from_before_restart: 'an evidence link that does not verify but may have been signed before this start, with no gateway key configured (410)',
  evidence_changed: 'evidence that changed since it was indexed (503)',
  // The service could not answer (503).
  overloaded: 'refused because the process is past an overload limit (event-loop delay or utilization, heap, RSS) (503)',
  method_not_allowed: 'a known path asked with a method it does not take (405)',
  operator_reads_no_posture: 'an operator principal asked for a posture document; operators read metrics only (403)',
  rate_limit_store_unavailable: 'the rate-limit store (Redis) could not be reached and rate_limit.on_store_error is fail_closed (503)',
  history_not_granted: 'a principal below the auditor tier (and not an operator) asked for a version history (403)',
  publisher_not_allowed: 'a JWT claimed the publisher tier from an issuer without allow_publisher (401)',
  not_a_publisher: 'a principal that is not of the publisher tier tried to publish a posture version (403)',
  publisher_reads_no_posture: 'a publisher principal asked to read a posture document or metrics; publishers only publish (403)',
  posture_not_loaded: 'no posture version is loaded yet',
  shutting_down: 'a request that arrived on an open connection while the server was stopping (503, Connection: close)',
  posture_stale: 'the posture is older than its freshness limit (posture.stale_after), so it is not served (503)',
  audit_unavailable: 'the audit line could not be written, so the answer was withheld',
  handler_timeout: 'the answer had not started after server.handler_timeout',
  // evidence_integrity_failure: why an evidence item is withheld from every document.
  hash_mismatch: 'the computed sha256 differs from the one the posture file declares',
  not_found: 'the evidence object does not exist',
  outside_root: 'the evidence path leaves its root (a symlink or special file)',
  no_backend: 'the posture names a backend the config does not set up',
  // A request cpxd could not take as it was sent (400, 417).
  malformed_url: 'a URL whose percent-encoding does not decode',
  missing_host: 'an HTTP/1.1 request without a Host header',
  duplicate_host: 'a request with more than one Host header line',
  unsupported_http_version: 'a request line of another HTTP version than 1.0 or 1.1 (an HTTP/0.9 line, HTTP/2.0 as text)',
  invalid_host: 'a Host header that is not a host with an optional port',
  unsupported_expectation: 'an Expect header other than 100-continue',
  // client_error: what Node's HTTP parser refused before routing.
  HPE_HEADER_OVERFLOW: 'request headers over server.max_header_size (431)',
  ERR_HTTP_REQUEST_TIMEOUT: 'a request that did not arrive within server.request_timeout (408)',
  malformed_request: 'any other request the parser could not read (400); detail names the parser error',
  connect_method: 'a CONNECT request, which only a proxy takes (405, Connection: close)',
  // audit_log_opened: why cpxd opened an audit file.
  start: 'cpxd started',
  reopen: 'a SIGHUP, after rotation',
  moved: 'cpxd found the file renamed or removed on its own',
  recovered: 'the file can be written again after a failure'
} as const

export type AuditReason = keyof typeof AUDIT_REASONS

export function isAuditReason (value: string): value is AuditReason {
  return Object.hasOwn(AUDIT_REASONS, value)
}
