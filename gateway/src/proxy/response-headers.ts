import { HOP_BY_HOP, connectionNamedHeaders } from './hop-by-hop.js';
import { ORIGIN_HEADERS, createUrlRewriter, rewriteHeaderValue, type RewriteUrl } from './origin-rewrite.js';

/**
 * The upstream's response headers as undici hands them to a dispatch handler: name, value, name,
 * value… as raw bytes, in the order and case the upstream sent them, repeated fields repeated.
 */
export type RawResponseHeaders = readonly Buffer[];

/** The client's response headers: name, value, name, value… (Node's `writeHead` takes this flat list as it is). */
export type ClientHeaders = string[];

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
 * origin (nginx's `proxy_redirect default`). Names are lower-cased; values pass byte for byte
 * (latin1 both ways, as undici reads them and Node writes them).
 *
 * Straight from undici's raw list into the flat list `writeHead` takes: no object keyed by names
 * a peer chose, and no second parse of what undici already split.
 */
export function buildClientHeaders(raw: RawResponseHeaders, inputs: ResponseHeaderInputs): ClientHeaders {
  const out: ClientHeaders = [];
  // Fields the gateway combines its own values with, and single-valued URL fields already kept.
  let vary: string[] | undefined;
  let ratePolicy: string[] | undefined;
  let rateState: string[] | undefined;
  let seenUrlField: Set<string> | undefined;
  const named = namedByConnection(raw);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    if (HOP_BY_HOP.has(name) || named?.has(name) || name === 'x-request-id' || name.startsWith('access-control-')) continue;
    const value = raw[i + 1]!.toString('latin1');
    if (name === 'vary' && inputs.cors['vary'] !== undefined) (vary ??= []).push(value);
    else if (name === 'ratelimit-policy' && inputs.rateLimit) (ratePolicy ??= []).push(value);
    else if (name === 'ratelimit' && inputs.rateLimit) (rateState ??= []).push(value);
    else {
      const kind = ORIGIN_HEADERS.get(name);
      if (kind === undefined) out.push(name, value);
      else if (kind === 'link' || !(seenUrlField ??= new Set()).has(name)) {
        // Link may be repeated; the others are single-valued, so a duplicate is dropped.
        seenUrlField?.add(name);
        out.push(name, rewriteHeaderValue(kind, value, rewriterFor(inputs.upstreamOrigin), inputs.clientOrigin));
      }
    }
  }
  for (const name in inputs.cors) {
    const value = inputs.cors[name]!;
    out.push(name, name === 'vary' ? appendListMember(vary, value) : value);
  }
  if (inputs.rateLimit) {
    // Structured-field lists: the upstream's own policies (if any) and the gateway's, side by side.
    out.push('ratelimit-policy', appendListMember(ratePolicy, inputs.rateLimit.policy));
    out.push('ratelimit', appendListMember(rateState, inputs.rateLimit.state));
  }
  out.push('x-request-id', inputs.requestId);
  return out;
}

const CONNECTION = Buffer.from('connection');

/**
 * The fields the upstream's `Connection` headers name as hop-by-hop, wherever they stand in the
 * list; undefined when there are none beyond the ones always dropped (`keep-alive` alone, the
 * usual value, names only itself).
 */
function namedByConnection(raw: RawResponseHeaders): ReadonlySet<string> | undefined {
  let values: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (isConnection(raw[i]!)) (values ??= []).push(raw[i + 1]!.toString('latin1'));
  }
  if (values === undefined || (values.length === 1 && values[0]!.toLowerCase() === 'keep-alive')) return undefined;
  return connectionNamedHeaders(values);
}

/** `name` is `connection` in any case, compared byte by byte without making a string. */
function isConnection(name: Buffer): boolean {
  if (name.length !== CONNECTION.length) return false;
  for (let i = 0; i < name.length; i++) if ((name[i]! | 0x20) !== CONNECTION[i]) return false;
  return true;
}

function appendListMember(existing: readonly string[] | undefined, member: string): string {
  return existing === undefined ? member : `${existing.join(', ')}, ${member}`;
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
