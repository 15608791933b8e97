// The request explain imagines, in the shape the pipeline reads from Node (method, url,
// rawHeaders, headers, socket.remoteAddress): the live decide() runs on it unchanged.
import { validateHeaderName, validateHeaderValue, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Duplicates of these are dropped from `headers` by Node (the first wins); see the http docs, message.headers. */
const FIRST_WINS = new Set(['age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent']);

export interface RequestSpec {
  readonly method: string;
  readonly path: string;
  /** In order, as a client would send them. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly peer: string;
}

export type BuiltRequest = { readonly ok: true; readonly req: IncomingMessage } | { readonly ok: false; readonly message: string };

export function buildRequest(spec: RequestSpec): BuiltRequest {
  if (isIP(spec.peer) === 0) return { ok: false, message: `--peer ${JSON.stringify(spec.peer)} is not an IP address` };
  const rawHeaders: string[] = [];
  for (const [name, value] of spec.headers) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      return { ok: false, message: `header ${JSON.stringify(name)}: not a valid HTTP header (Node answers 400 before the gateway sees it)` };
    }
    rawHeaders.push(name, value);
  }
  const request = {
    method: spec.method,
    url: spec.path,
    httpVersion: '1.1',
    rawHeaders,
    headers: nodeHeaders(rawHeaders),
    socket: { remoteAddress: spec.peer },
    complete: true,
  };
  return { ok: true, req: request as unknown as IncomingMessage };
}

/** `req.headers` as Node builds it from the raw list. */
function nodeHeaders(raw: readonly string[]): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const existing = headers[name];
    if (name === 'set-cookie') headers[name] = [...((existing as string[] | undefined) ?? []), value];
    else if (existing === undefined) headers[name] = value;
    else if (FIRST_WINS.has(name)) continue;
    else headers[name] = `${existing as string}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return headers as IncomingHttpHeaders;
}
