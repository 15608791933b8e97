// The gateway's CORS policy (docs/contract.md, "CORS"). The upstream's own Access-Control-*
// headers are dropped elsewhere; these are the only ones a client sees.
//
// - Origins are compared exactly against the configured list, each normalised once at start to
//   its serialised origin (lower-case scheme and host, no default port, no trailing slash).
//   A request's Origin must equal one of them; as a courtesy an all-ASCII Origin is also tried
//   lower-cased. `null`, lists (`a, b` — what Node makes of two Origin headers), paths and any
//   other odd value never match, so they get no CORS headers.
// - No `Access-Control-Allow-Credentials`: the credential is a Bearer header the page's script
//   attaches itself, not a cookie, so the browser never needs to send ambient credentials —
//   and leaving it out means a cookie can never ride on a cross-origin request through us.
// - Every answer carries `Vary: Origin`, allowed origin or not, so a cache never serves one
//   origin's CORS answer to another.
// - Header sets are built once per origin (and route) and frozen: nothing is allocated per request.

import type { IncomingHttpHeaders } from 'node:http';
import type { CorsConfig } from '../../config/types.js';
import type { CompiledRoute } from '../route/index.js';
import { normaliseOrigin } from './origin.js';

export type CorsHeaders = Readonly<Record<string, string>>;

export interface CorsPolicy {
  /** An OPTIONS with Access-Control-Request-Method: answered by the gateway, never forwarded. */
  isPreflight(method: string, headers: IncomingHttpHeaders): boolean;
  /** Headers for the 204 answer to a preflight of `route`. */
  preflightHeaders(origin: string | undefined, route: CompiledRoute): CorsHeaders;
  /** Headers for every other response, errors included. */
  responseHeaders(origin: string | undefined): CorsHeaders;
}

export const ALLOW_HEADERS = 'authorization, content-type, x-request-id';
// RateLimit-Policy and RateLimit too: a browser app can then pace itself instead of meeting a 429.
export const EXPOSE_HEADERS = 'x-request-id, www-authenticate, retry-after, ratelimit-policy, ratelimit';

const VARY_ONLY: CorsHeaders = Object.freeze({ vary: 'Origin' });

/** Lower-case an Origin made only of visible ASCII; undefined for anything else. */
function asciiLower(value: string): string | undefined {
  let upper = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return undefined;
    if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  return upper ? value.toLowerCase() : undefined;
}

export function createCorsPolicy(cors: CorsConfig): CorsPolicy {
  const maxAge = String(cors.maxAgeSeconds);
  // Origin → the frozen headers for ordinary responses.
  const responses = new Map<string, CorsHeaders>();
  for (const entry of cors.origins) {
    const normalised = normaliseOrigin(entry);
    if (!normalised.ok) throw new Error(`invalid cors.origins entry: ${normalised.problem}`);
    const origin = normalised.origin;
    responses.set(origin, Object.freeze({ 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSE_HEADERS, vary: 'Origin' }));
  }
  // Route → origin → frozen preflight headers, filled on first use (routes × origins at most).
  const preflights = new WeakMap<CompiledRoute, Map<string, CorsHeaders>>();

  /** The configured origin a request's Origin header names, if any. */
  const allowed = (origin: string | undefined): string | undefined => {
    if (origin === undefined || origin.length === 0) return undefined;
    if (responses.has(origin)) return origin;
    const lower = asciiLower(origin);
    return lower !== undefined && responses.has(lower) ? lower : undefined;
  };

  return Object.freeze({
    isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
      return method === 'OPTIONS' && headers['access-control-request-method'] !== undefined;
    },

    preflightHeaders(origin: string | undefined, route: CompiledRoute): CorsHeaders {
      const match = allowed(origin);
      if (match === undefined) return VARY_ONLY;
      let byOrigin = preflights.get(route);
      if (!byOrigin) preflights.set(route, (byOrigin = new Map()));
      let headers = byOrigin.get(match);
      if (!headers) {
        headers = Object.freeze({
          'access-control-allow-origin': match,
          'access-control-allow-methods': route.allow.join(', '),
          'access-control-allow-headers': ALLOW_HEADERS,
          'access-control-max-age': maxAge,
          vary: 'Origin',
        });
        byOrigin.set(match, headers);
      }
      return headers;
    },

    responseHeaders(origin: string | undefined): CorsHeaders {
      const match = allowed(origin);
      return match === undefined ? VARY_ONLY : responses.get(match)!;
    },
  });
}
