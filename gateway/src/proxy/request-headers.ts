import type { IncomingMessage } from 'node:http';
import { HOP_BY_HOP, connectionNamedHeaders } from './hop-by-hop.js';
import { isValidHost } from '../pipeline/target/index.js';
import { unmapIPv4 } from '../pipeline/client-address.js';

// Headers a client may never set on the upstream request, whatever their case.
// Rewrite and method-override headers are how other proxies were tricked into
// authorizing one path or method and forwarding another.
const ALWAYS_STRIPPED: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP,
  'host',
  'expect',
  'x-request-id',
  'x-original-url',
  'x-rewrite-url',
  'x-forwarded-prefix',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);

const FORWARDING_HEADERS: ReadonlySet<string> = new Set(['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip']);

/**
 * Every `X-Forwarded-*` counts, not only the three the gateway sets: an upstream may read
 * X-Forwarded-Port, -Ssl, -Server or -Uri to build URLs or decide the scheme.
 */
function isForwardingHeader(lower: string): boolean {
  return FORWARDING_HEADERS.has(lower) || lower.startsWith('x-forwarded-');
}

/** Framing is recomputed for the upstream; a `Connection` token naming it must not drop it. */
const NEVER_CONNECTION_STRIPPED: ReadonlySet<string> = new Set(['content-length', 'content-type']);

export interface UpstreamHeaderPolicy {
  /** Lower-case identity header names from the config. */
  readonly identityHeaders: ReadonlySet<string>;
  readonly forwardAuthorization: boolean;
}

export interface UpstreamHeaderInputs {
  readonly requestId: string;
  /** Identity headers from verified claims, already validated; empty on public routes. */
  readonly identity: ReadonlyArray<readonly [string, string]>;
  readonly peerTrusted: boolean;
  readonly protocol: 'http' | 'https';
}

/**
 * The upstream request's headers as a flat [name, value, …] list:
 * first everything the client may not set is removed, then the gateway's own headers are set.
 * Client duplicates are kept as sent (rawHeaders), so nothing is merged or reordered.
 * The gateway's own headers go first: servers keep only the first N headers of a request
 * (Node about a thousand), so client padding must never push them out of the upstream's view.
 */
export function buildUpstreamHeaders(req: IncomingMessage, policy: UpstreamHeaderPolicy, inputs: UpstreamHeaderInputs): string[] {
  const raw = req.rawHeaders;
  const connectionValues: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') connectionValues.push(raw[i + 1]!);
  }
  const namedInConnection = connectionValues.length ? connectionNamedHeaders(connectionValues) : undefined;

  const client: string[] = [];
  let incomingForwardedFor: string | undefined;
  let incomingProto: string | undefined;
  let incomingHost: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (lower.includes('_')) continue; // X_User_Id would reach WSGI/CGI upstreams as X-User-Id
    if (ALWAYS_STRIPPED.has(lower) || policy.identityHeaders.has(lower)) continue;
    if (namedInConnection?.has(lower) && !NEVER_CONNECTION_STRIPPED.has(lower)) continue;
    if (isForwardingHeader(lower)) {
      if (!inputs.peerTrusted) continue;
      if (lower === 'x-forwarded-for') {
        incomingForwardedFor = incomingForwardedFor ? `${incomingForwardedFor}, ${value}` : value;
        continue;
      }
      if (lower === 'x-forwarded-proto') { incomingProto ??= value; continue; }
      if (lower === 'x-forwarded-host') { incomingHost ??= value; continue; }
    }
    if (lower === 'authorization' && !policy.forwardAuthorization) continue;
    client.push(name, value);
  }

  const out: string[] = [];
  for (const [name, value] of inputs.identity) out.push(name, value);

  const peer = req.socket.remoteAddress ? unmapIPv4(req.socket.remoteAddress) : undefined;
  if (peer) out.push('x-forwarded-for', incomingForwardedFor ? `${incomingForwardedFor}, ${peer}` : peer);
  out.push('x-forwarded-proto', incomingProto ?? inputs.protocol);
  // Never a raw value: the Host was checked before forwarding (pipeline/target/host.ts), and a
  // trusted proxy's X-Forwarded-Host counts only when it is a host[:port] too.
  const host = incomingHost !== undefined && isValidHost(incomingHost) ? incomingHost : req.headers.host;
  if (host && isValidHost(host)) out.push('x-forwarded-host', host);
  out.push('x-request-id', inputs.requestId);
  for (const item of client) out.push(item);
  return out;
}
