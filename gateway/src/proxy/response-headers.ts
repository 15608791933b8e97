import { HOP_BY_HOP, connectionNamedHeaders } from './hop-by-hop.js';

export type UpstreamResponseHeaders = Record<string, string | string[] | undefined>;

export interface ResponseHeaderInputs {
  /** `http://127.0.0.1:8000` — the upstream's origin, never shown to clients. */
  readonly upstreamOrigin: string;
  /** The origin the client used, e.g. `https://api.example.com`. */
  readonly clientOrigin: string | undefined;
  readonly requestId: string;
  /** The gateway's CORS headers for this response (may be empty). */
  readonly cors: Readonly<Record<string, string>>;
}

/**
 * What the client gets of the upstream's headers: hop-by-hop ones dropped, the upstream's own
 * CORS replaced by the gateway's, and Location/Content-Location pointing at the upstream's
 * origin rewritten to the client's (nginx's `proxy_redirect default`).
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
    if (lower === 'location' || lower === 'content-location') {
      out[lower] = rewriteLocation(Array.isArray(value) ? value[0] ?? '' : value, inputs);
      continue;
    }
    out[lower] = value;
  }
  for (const name in inputs.cors) {
    const value = inputs.cors[name]!;
    const existing = name === 'vary' ? out['vary'] : undefined;
    out[name] = existing ? `${Array.isArray(existing) ? existing.join(', ') : existing}, ${value}` : value;
  }
  out['x-request-id'] = inputs.requestId;
  return out;
}

function rewriteLocation(location: string, inputs: ResponseHeaderInputs): string {
  const lower = location.toLowerCase();
  let prefixLength = -1;
  for (const prefix of upstreamSpellings(inputs.upstreamOrigin)) {
    if (lower.startsWith(prefix)) {
      prefixLength = prefix.length;
      break;
    }
  }
  if (prefixLength < 0) return location;
  const rest = location.slice(prefixLength);
  if (rest !== '' && !rest.startsWith('/') && !rest.startsWith('?') && !rest.startsWith('#')) return location; // another host, e.g. :80001
  // Without a client origin, a relative reference still keeps the upstream's address private.
  return (inputs.clientOrigin ?? '') + (rest === '' ? '/' : rest);
}

const spellings = new Map<string, readonly string[]>();

/**
 * Every way a Location can name the upstream: its origin, scheme-relative (`//host:port`, which
 * resolves against the upstream's own URL), and with the scheme's default port written out
 * (`http://up:80`). Longest first, so `:80` is matched before the bare host.
 */
function upstreamSpellings(origin: string): readonly string[] {
  let found = spellings.get(origin);
  if (found) return found;
  const url = new URL(origin);
  const withPort = url.port === '' ? `${url.protocol}//${url.host}:${url.protocol === 'https:' ? 443 : 80}` : origin;
  const forms = new Set([withPort, origin].flatMap((o) => [o, o.slice(o.indexOf('//'))]).map((o) => o.toLowerCase()));
  found = [...forms].sort((a, b) => b.length - a.length);
  spellings.set(origin, found);
  return found;
}
