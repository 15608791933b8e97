import { HOP_BY_HOP, connectionNamedHeaders } from './hop-by-hop.js';
import { ORIGIN_HEADERS, createUrlRewriter, rewriteHeaderValue, type RewriteUrl } from './origin-rewrite.js';

export type UpstreamResponseHeaders = Record<string, string | string[] | undefined>;

export interface ResponseHeaderInputs {
  /** `http://127.0.0.1:8000` — the upstream's origin, never shown to clients. */
  readonly upstreamOrigin: string;
  /** The origin the client used, e.g. `https://api.example.com`. */
  readonly clientOrigin: string | undefined;
  readonly requestId: string;
  /** The gateway's CORS headers for this response (may be empty). */
  readonly cors: Readonly<Record<string, string>>;
  /** The gateway's RateLimit-Policy and RateLimit fields, on routes with a rate limit. */
  readonly rateLimit?: { readonly policy: string; readonly state: string } | undefined;
}

/**
 * What the client gets of the upstream's headers: hop-by-hop ones dropped, the upstream's own
 * CORS replaced by the gateway's, and every URL naming the upstream in the headers that can carry
 * one (Location, Content-Location, Refresh, Link: origin-rewrite.ts) rewritten to the client's
 * origin (nginx's `proxy_redirect default`).
 */
export function buildClientHeaders(upstream: UpstreamResponseHeaders, inputs: ResponseHeaderInputs): Record<string, string | string[]> {
  const connection = upstream['connection'];
  const named = connection ? connectionNamedHeaders(Array.isArray(connection) ? connection : [connection]) : undefined;
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named?.has(lower)) continue;
    if (lower.startsWith('access-control-') || lower === 'x-request-id') continue;
    const kind = ORIGIN_HEADERS.get(lower);
    if (kind !== undefined) {
      const rewrite = rewriterFor(inputs.upstreamOrigin);
      const one = (v: string) => rewriteHeaderValue(kind, v, rewrite, inputs.clientOrigin);
      // Link may be repeated; the others are single-valued, so a duplicate is dropped.
      out[lower] = Array.isArray(value) ? (kind === 'link' ? value.map(one) : one(value[0] ?? '')) : one(value);
      continue;
    }
    out[lower] = value;
  }
  for (const name in inputs.cors) {
    const value = inputs.cors[name]!;
    const existing = name === 'vary' ? out['vary'] : undefined;
    out[name] = existing ? `${Array.isArray(existing) ? existing.join(', ') : existing}, ${value}` : value;
  }
  if (inputs.rateLimit) {
    // Structured-field lists: the upstream's own policies (if any) and the gateway's, side by side.
    out['ratelimit-policy'] = appendListMember(out['ratelimit-policy'], inputs.rateLimit.policy);
    out['ratelimit'] = appendListMember(out['ratelimit'], inputs.rateLimit.state);
  }
  out['x-request-id'] = inputs.requestId;
  return out;
}

function appendListMember(existing: string | string[] | undefined, member: string): string {
  if (existing === undefined) return member;
  return `${Array.isArray(existing) ? existing.join(', ') : existing}, ${member}`;
}

const rewriters = new Map<string, RewriteUrl>();

function rewriterFor(upstreamOrigin: string): RewriteUrl {
  let rewrite = rewriters.get(upstreamOrigin);
  if (rewrite === undefined) {
    rewrite = createUrlRewriter(upstreamOrigin);
    rewriters.set(upstreamOrigin, rewrite);
  }
  return rewrite;
}
