// Every reason the gateway refuses a request, and the one place that turns a reason into HTTP.
// Checks return reason codes as values; only this module knows statuses, bodies and headers.

export type Reason =
  | 'ambiguous_path'
  | 'malformed_request'
  | 'headers_too_large'
  | 'multiple_credentials'
  | 'missing_token'
  | 'invalid_token'
  | 'token_expired'
  | 'token_revoked'
  | 'user_mismatch'
  | 'no_route'
  | 'method_not_allowed'
  | 'body_too_large'
  | 'keys_unavailable'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'request_timeout'
  | 'concurrency_limited'
  | 'rate_limited'
  | 'unsupported_transfer_coding'
  | 'http_version_not_supported'
  | 'internal_error';

/** A refusal as a value: the reason code, plus a short human description safe to show (never a token). */
export interface Denial {
  readonly ok: false;
  readonly reason: Reason;
  readonly detail?: string;
  /** For 429 and 503: seconds the client should wait (Retry-After). */
  readonly retryAfterSeconds?: number;
  /** Further headers a stage owns (e.g. RateLimit-Policy); names lower-case. */
  readonly headers?: Readonly<Record<string, string>>;
}

export function deny(reason: Reason, detail?: string): Denial {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

/** Reasons that say who may do what: what gateway_auth_denials_total counts. */
export const AUTH_REASONS: ReadonlySet<Reason> = new Set<Reason>([
  'missing_token', 'invalid_token', 'token_expired', 'token_revoked', 'multiple_credentials', 'user_mismatch', 'keys_unavailable',
]);

/** Reasons that say a caller used more than its share: what gateway_limited_total counts. */
export const LIMIT_REASONS: ReadonlySet<Reason> = new Set<Reason>(['concurrency_limited', 'rate_limited']);

interface ReasonSpec {
  readonly status: number;
  readonly error: string;
  readonly message: string;
}

const REASONS: Readonly<Record<Reason, ReasonSpec>> = {
  ambiguous_path: { status: 400, error: 'bad_request', message: 'The request path is ambiguous or malformed.' },
  malformed_request: { status: 400, error: 'bad_request', message: 'The request is malformed.' },
  headers_too_large: { status: 431, error: 'request_header_fields_too_large', message: 'The request headers are too large.' },
  multiple_credentials: { status: 400, error: 'bad_request', message: 'More than one credential was sent; send exactly one Authorization: Bearer header.' },
  missing_token: { status: 401, error: 'unauthorized', message: 'A Bearer token is required.' },
  invalid_token: { status: 401, error: 'unauthorized', message: 'The access token is invalid.' },
  token_expired: { status: 401, error: 'unauthorized', message: 'The access token has expired.' },
  token_revoked: { status: 401, error: 'unauthorized', message: 'The access token has been revoked.' },
  user_mismatch: { status: 403, error: 'forbidden', message: 'The token does not grant access to this user\'s resources.' },
  no_route: { status: 404, error: 'not_found', message: 'No route matches this path.' },
  method_not_allowed: { status: 405, error: 'method_not_allowed', message: 'This method is not allowed on this route.' },
  // docs/contract.md: 413 `payload_too_large` / `body_too_large` (error / reason).
  body_too_large: { status: 413, error: 'payload_too_large', message: 'The request body is too large.' },
  keys_unavailable: { status: 503, error: 'unavailable', message: 'Signing keys are not available; try again shortly.' },
  upstream_unreachable: { status: 502, error: 'bad_gateway', message: 'The upstream service could not be reached.' },
  upstream_timeout: { status: 504, error: 'gateway_timeout', message: 'The upstream service did not answer in time.' },
  request_timeout: { status: 408, error: 'request_timeout', message: 'The request took too long to arrive.' },
  concurrency_limited: { status: 429, error: 'too_many_requests', message: 'Too many requests of this caller are in flight; retry shortly.' },
  rate_limited: { status: 429, error: 'too_many_requests', message: 'The rate limit for this caller was reached.' },
  unsupported_transfer_coding: { status: 501, error: 'not_implemented', message: 'Only the chunked transfer coding is supported.' },
  http_version_not_supported: { status: 505, error: 'http_version_not_supported', message: 'Only HTTP/1.0 and HTTP/1.1 are served.' },
  internal_error: { status: 500, error: 'internal_error', message: 'The gateway failed to handle this request.' },
};

export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { error: string; reason: Reason; message: string; request_id: string };
}

export interface ErrorContext {
  readonly requestId: string;
  readonly realm: string;
  /** For 405: the methods the route allows. */
  readonly allow?: readonly string[];
  /** For 503: seconds the client should wait. */
  readonly retryAfterSeconds?: number;
}

/** RFC 6750 §3: quoted-string values; the description is ours, but keep it header-safe anyway. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '')}"`;
}

export function statusOf(reason: Reason): number {
  return REASONS[reason].status;
}

export function errorResponse(denial: Denial, ctx: ErrorContext): ErrorResponse {
  const spec = REASONS[denial.reason];
  const headers: Record<string, string> = { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' };
  if (denial.reason === 'missing_token') {
    // No token was presented: no error attribute (RFC 6750 §3.1).
    headers['www-authenticate'] = `Bearer realm=${quoted(ctx.realm)}`;
  } else if (denial.reason === 'invalid_token' || denial.reason === 'token_expired' || denial.reason === 'token_revoked') {
    const description = denial.reason === 'token_expired' ? 'The access token expired' : denial.reason === 'token_revoked' ? 'The access token was revoked' : denial.detail ?? 'The access token is invalid';
    headers['www-authenticate'] = `Bearer realm=${quoted(ctx.realm)}, error="invalid_token", error_description=${quoted(description)}`;
  }
  if (denial.reason === 'method_not_allowed' && ctx.allow) headers['allow'] = ctx.allow.join(', ');
  const retryAfter = denial.retryAfterSeconds ?? (denial.reason === 'keys_unavailable' ? ctx.retryAfterSeconds ?? 5 : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  if (denial.headers) Object.assign(headers, denial.headers);
  const message = denial.detail ? `${spec.message} ${denial.detail}` : spec.message;
  return {
    status: spec.status,
    headers,
    body: { error: spec.error, reason: denial.reason, message, request_id: ctx.requestId },
  };
}
