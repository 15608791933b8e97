// The Node floor: the cheapest authenticating proxy Node can be, to measure the gateway against.
// A plain node:http server; a token cache (Map) in front of floor-verify's synchronous check;
// the owner rule (the path's user id must be the token's sub); one identity header (x-user-id);
// and undici's Pool.dispatch with a handler that writes the upstream's answer straight into the
// ServerResponse — no stream wrappers, no logs, no metrics. What the gateway spends above this
// floor is the price of its own features and structure, not of Node's HTTP stack.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { verifyToken, type FloorKeys, type Verified } from './floor-verify.js';

export interface FloorOptions {
  /** The upstream's origin, e.g. http://127.0.0.1:3000. */
  readonly upstream: string;
  readonly keys: FloorKeys;
  /** Verified tokens kept (oldest evicted first); 0: every request verified from scratch. */
  readonly tokenCacheEntries: number;
  /** Keep-alive connections to the upstream (the gateway's default: 64). */
  readonly connections?: number;
}

export interface Floor {
  readonly server: Server;
  close(): Promise<void>;
}

// Request headers never forwarded (hop-by-hop, or set by undici from the origin), and the
// identity header a client must not be able to send itself.
const DROP_REQUEST = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade', 'host', 'x-user-id']);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
const API_PREFIX = '/api/';

function answer(res: ServerResponse, status: number, body: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(body.length) };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  res.writeHead(status, headers).end(body);
}

function refuse(res: ServerResponse, status: number, error: string): void {
  answer(res, status, `{"error":"${error}"}`);
}

/** The `:user_id` of /api/:user_id/…, decoded; undefined when the path is not an API path or is malformed. */
export function pathUser(url: string): string | undefined {
  if (!url.startsWith(API_PREFIX)) return undefined;
  const end = url.indexOf('/', API_PREFIX.length);
  const query = url.indexOf('?', API_PREFIX.length);
  const stop = end === -1 ? (query === -1 ? url.length : query) : query !== -1 && query < end ? query : end;
  const raw = url.slice(API_PREFIX.length, stop);
  if (raw === '') return undefined;
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Streams one upstream answer into `res` as undici delivers it (legacy handler: raw headers, no wrapper). */
class Relay implements Dispatcher.DispatchHandler {
  private abort: ((err?: Error) => void) | undefined;
  private resume: (() => void) | undefined;
  private done = false;

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => { if (!this.done) this.abort?.(new Error('client went away')); });
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the final answer follows
    const headers: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1');
      if (!DROP_RESPONSE.has(name.toLowerCase())) headers.push(name, raw[i + 1]!.toString('latin1'));
    }
    this.res.writeHead(statusCode, headers);
    this.resume = resume;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resume!); // a slow client pauses the upstream read
    return false;
  }

  onComplete(): void {
    this.done = true;
    this.res.end();
  }

  onError(err: Error): void {
    this.done = true;
    if (this.res.destroyed) return;
    if (this.res.headersSent) this.res.destroy(err);
    else refuse(this.res, 502, 'bad_gateway');
  }
}

export function createFloor(options: FloorOptions): Floor {
  const pool = new Pool(options.upstream, { connections: options.connections ?? 64, pipelining: 1 });
  const cache = new Map<string, Verified>();
  const cacheLimit = options.tokenCacheEntries;
  const leeway = options.keys.clockToleranceSec;

  const identify = (token: string): Verified | undefined => {
    const nowSec = Date.now() / 1000;
    const hit = cacheLimit > 0 ? cache.get(token) : undefined;
    if (hit && hit.exp + leeway > nowSec) return hit;
    if (hit) cache.delete(token);
    const verified = verifyToken(token, options.keys, nowSec);
    if (verified && cacheLimit > 0) {
      if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
      cache.set(token, verified);
    }
    return verified;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    if (url === '/health') return answer(res, 200, '{"status":"ok"}');
    const owner = pathUser(url);
    if (owner === undefined) return refuse(res, 404, 'not_found');
    // One pass over the raw headers: find the credential, copy what is forwarded.
    const raw = req.rawHeaders;
    const headers: string[] = [];
    let authorization: string | undefined;
    let hasBody = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const lower = name.toLowerCase();
      if (lower === 'authorization') authorization = authorization === undefined ? raw[i + 1]! : ''; // two: refused
      else if (lower === 'content-length' || lower === 'transfer-encoding') hasBody = true;
      if (!DROP_REQUEST.has(lower)) headers.push(name, raw[i + 1]!);
    }
    if (!authorization || !authorization.startsWith('Bearer ')) return refuse(res, 401, 'invalid_token');
    const who = identify(authorization.slice(7));
    if (!who) return refuse(res, 401, 'invalid_token');
    if (who.sub !== owner) return refuse(res, 403, 'user_mismatch');
    headers.push('x-user-id', who.sub);
    pool.dispatch({ method: req.method as Dispatcher.HttpMethod, path: url, headers, body: hasBody ? req : null }, new Relay(res));
  };

  const server = createServer(handle);
  return {
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => void pool.close().then(() => resolve()));
    }),
  };
}
