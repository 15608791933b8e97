import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import type { UpstreamConfig } from '../config/types.js';
import type { UpstreamResponseHeaders } from './response-headers.js';
import { BodyTooLargeError, limitBody } from './body-limit.js';
import { sendContinue } from './continue.js';
import { ResponseRelay } from './response-relay.js';

export type ForwardOutcome =
  | { readonly ok: true; readonly status: number; readonly upstreamMs: number }
  | { readonly ok: false; readonly failure: 'upstream_unreachable' | 'upstream_timeout' | 'body_too_large' | 'client_aborted' | 'response_aborted' };

export interface ForwardRequest {
  /** Raw path and query, byte for byte as authorized. */
  readonly pathAndQuery: string;
  readonly headers: string[];
  readonly bodyLimitBytes: number;
  /** Turns the upstream's response headers into the client's. */
  readonly clientHeaders: (upstream: UpstreamResponseHeaders) => Record<string, string | string[]>;
}

export interface Upstream {
  forward(req: IncomingMessage, res: ServerResponse, request: ForwardRequest): Promise<ForwardOutcome>;
  /** A TCP connect to the upstream, for /readyz. */
  reachable(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The upstream hop, on undici directly: one keep-alive pool, the body streamed both ways,
 * exactly one attempt (no retries, whatever the method or status), and the request target
 * sent exactly as authorized — no URL re-parsing that could re-encode or normalise it.
 */
export function createUpstream(config: UpstreamConfig): Upstream {
  const origin = new URL(config.url).origin;
  const pool = new Pool(origin, {
    connections: config.connections,
    pipelining: 1,
    headersTimeout: config.timeoutMs,
    bodyTimeout: config.timeoutMs,
    connect: { timeout: config.timeoutMs },
    keepAliveTimeout: 4_000,
  });

  async function forward(req: IncomingMessage, res: ServerResponse, request: ForwardRequest): Promise<ForwardOutcome> {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > request.bodyLimitBytes) return { ok: false, failure: 'body_too_large' };
    // Authorized and within the limit as far as is known: a client waiting on Expect may send.
    sendContinue(res);
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const body = chunked ? limitedBody(req, request.bodyLimitBytes) : declared !== undefined && declared !== '0' ? req : undefined;

    return new Promise<ForwardOutcome>((resolve) => {
      const relay = new ResponseRelay(res, request.clientHeaders, (result) => {
        if (result.error === undefined && result.status !== 0) resolve({ ok: true, status: result.status, upstreamMs: result.upstreamMs });
        else if (result.status !== 0) resolve({ ok: false, failure: 'response_aborted' });
        else resolve({ ok: false, failure: classify(result.error, result.clientGone) });
      }, config.timeoutMs);
      try {
        pool.dispatch({ origin, path: request.pathAndQuery, method: (req.method ?? 'GET') as Dispatcher.HttpMethod, headers: request.headers, body }, relay);
      } catch (error) {
        relay.onResponseError(undefined as never, error as Error);
      }
    });
  }

  return {
    forward,
    reachable: (timeoutMs = 1_000) => tcpReachable(new URL(config.url), timeoutMs),
    close: () => pool.close(),
  };
}

/**
 * A chunked body counted against the limit on its way upstream. Piped, not pipeline()d: past the
 * limit only the counter fails (undici aborts the upstream request), while the client's request
 * stays open, so its 413 can be written and the rest of its body drained (linger.ts) instead of
 * the socket being destroyed under it.
 */
function limitedBody(req: IncomingMessage, limitBytes: number): Readable {
  const limited = limitBody(limitBytes);
  req.pipe(limited);
  // A client gone mid-body must fail the upstream request too; pipe alone would leave it waiting.
  req.once('close', () => {
    if (!req.complete) limited.destroy(new Error('the client closed the request body early'));
  });
  return limited;
}

function classify(error: unknown, clientGone: boolean): 'upstream_unreachable' | 'upstream_timeout' | 'body_too_large' | 'client_aborted' {
  if (error instanceof BodyTooLargeError || (error as { cause?: unknown })?.cause instanceof BodyTooLargeError) return 'body_too_large';
  if (clientGone) return 'client_aborted';
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.ConnectTimeoutError) return 'upstream_timeout';
  return 'upstream_unreachable';
}

function tcpReachable(url: URL, timeoutMs: number): Promise<boolean> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
