import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import type { UpstreamConfig } from '../config/types.js';
import type { ClientHeaders, RawResponseHeaders } from './response-headers.js';
import { BodyTooLargeError, guardBody } from './body-guard.js';
import { sendContinue } from './continue.js';
import { relaySettings, type RelayResult } from './relay-settings.js';
import { ResponseRelay } from './response-relay.js';
import { retryOnce, type RetryReason } from './retry.js';
import { timeoutKind, type TimeoutKind } from './timeout-errors.js';
import type { ProxyTimeouts } from './timeouts-config.js';
import { UpstreamLoad, type PoolSnapshot } from './upstream-load.js';

export type ForwardFailure = 'upstream_unreachable' | 'upstream_timeout' | 'body_too_large' | 'request_timeout' | 'client_aborted';

/** Why the request was sent a second time, if it was: its first attempt provably never reached the upstream (retry.ts). */
export interface Retried {
  readonly retried?: RetryReason;
}

export type ForwardOutcome = Retried & (
  | { readonly ok: true; readonly status: number; readonly upstreamMs: number }
  /** Nothing of the upstream's answer reached the client: the gateway may still answer. */
  | { readonly ok: false; readonly failure: ForwardFailure; readonly timeout?: TimeoutKind }
  /** The upstream's head was sent and the response was then cut off. */
  | { readonly ok: false; readonly failure: 'response_aborted'; readonly status: number; readonly upstreamMs: number; readonly clientGone: boolean; readonly timeout?: TimeoutKind });

export interface ForwardRequest {
  /** Raw path and query, byte for byte as authorized. */
  readonly pathAndQuery: string;
  readonly headers: string[];
  readonly bodyLimitBytes: number;
  /** Turns the upstream's response headers into the client's. */
  readonly clientHeaders: (upstream: RawResponseHeaders) => ClientHeaders;
  /** The idle time-outs of the config the request is served under (a reload may change them; the pool stays). */
  readonly timeouts: ProxyTimeouts;
}

export interface Upstream {
  /** The upstream's origin (the `pool` label of the in-flight gauges). */
  readonly origin: string;
  forward(req: IncomingMessage, res: ServerResponse, request: ForwardRequest): Promise<ForwardOutcome>;
  /** A TCP connect to the upstream, for /readyz. */
  reachable(timeoutMs?: number): Promise<boolean>;
  /** How busy the pool is, and whether it can take requests at all (for /readyz and the gauges). */
  pool(): PoolSnapshot;
  close(): Promise<void>;
}

/**
 * The upstream hop, on undici directly: one keep-alive pool, the body streamed both ways, the
 * request reaching the upstream exactly once, and the request target sent exactly as authorized
 * — no URL re-parsing that could re-encode or normalise it. Exactly once: no retry whatever the
 * method or status, except one, on a fresh connection, for a request whose first attempt provably
 * put nothing on any connection (retry.ts).
 *
 * Time-outs: upstream.timeout bounds only the wait for the response head (queueing included);
 * after the head, a response is cut only when it stands still for limits.response_idle_timeout
 * — the client reads nothing (the relay's timer) or the upstream sends nothing (undici's
 * bodyTimeout, an idle timer too, given per request) — so a stream that keeps moving is never
 * cut. undici's own default would cut any response whose body pauses for upstream.timeout.
 */
export function createUpstream(config: UpstreamConfig): Upstream {
  const origin = new URL(config.url).origin;
  const pool = new Pool(origin, {
    connections: config.connections,
    pipelining: 1,
    headersTimeout: config.timeoutMs,
    connect: { timeout: config.timeoutMs },
    // Without a Keep-Alive hint an idle socket is reused for 4 s; with one (`timeout=N`), for N s
    // less keepAliveTimeoutThreshold (and never when that leaves nothing), so the pool lets go of a
    // socket before the upstream closes it, instead of racing it with a request.
    keepAliveTimeout: 4_000,
    keepAliveTimeoutThreshold: 2_000,
  });
  // Retries go over connections of their own, each opened for one request and closed after it
  // (`reset`): never another pooled socket the upstream may just have closed too.
  const fresh = new Pool(origin, { connections: retryConnections(config.connections), pipelining: 1, headersTimeout: config.timeoutMs, connect: { timeout: config.timeoutMs } });
  // Requests queued half of upstream.timeout with no connection freeing up are on their way to a
  // 504; a run of head time-outs is remembered for 2 × upstream.timeout (at least 10 s).
  const load = new UpstreamLoad(config.connections, config.timeoutMs / 2, Math.max(10_000, 2 * config.timeoutMs));
  const settingsFor = relaySettings(config.timeoutMs, load);

  function outcomeOf(result: RelayResult, retried: RetryReason | undefined): ForwardOutcome {
    const timeout = timeoutKind(result.error);
    if (result.status !== 0) load.headReceived();
    else if (timeout === 'upstream_head') load.headTimedOut();
    if (result.status !== 0 && result.error === undefined) return retried ? { ok: true, status: result.status, upstreamMs: result.upstreamMs, retried } : { ok: true, status: result.status, upstreamMs: result.upstreamMs };
    const timed = { ...(timeout ? { timeout } : {}), ...(retried ? { retried } : {}) };
    if (result.status === 0) return { ok: false, failure: classify(result.error, result.clientGone), ...timed };
    return { ok: false, failure: 'response_aborted', status: result.status, upstreamMs: result.upstreamMs, clientGone: result.clientGone, ...timed };
  }

  function forward(req: IncomingMessage, res: ServerResponse, request: ForwardRequest): Promise<ForwardOutcome> {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > request.bodyLimitBytes) return Promise.resolve({ ok: false, failure: 'body_too_large' });
    // Authorized and within the limit as far as is known: a client waiting on Expect may send.
    sendContinue(res);
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const hasBody = chunked || (declared !== undefined && declared !== '0');

    return new Promise<ForwardOutcome>((resolve) => {
      const { timeouts } = request;
      let retried: RetryReason | undefined;
      let body: Readable | undefined;
      const relay = new ResponseRelay(res, request.clientHeaders, (result) => {
        // The exchange is over: the guard lets go of the request (a no-op once undici has sent or
        // destroyed it). One that failed before undici took its body (a 502 or 504 while the
        // client still uploads) would otherwise keep pausing the request, and the discard that
        // follows a refusal (linger.ts) would stall until the client got a reset.
        body?.destroy();
        resolve(outcomeOf(result, retried));
      }, settingsFor(timeouts));
      // A declared length is already within the limit; a chunked body is counted on its way.
      if (hasBody) relay.expectBody();
      body = hasBody ? guardBody(req, chunked ? request.bodyLimitBytes : Infinity, timeouts.bodyIdleTimeoutMs, relay) : undefined;
      const method = (req.method ?? 'GET') as Dispatcher.HttpMethod;
      const options: Dispatcher.DispatchOptions = { origin, path: request.pathAndQuery, method, headers: request.headers, body, bodyTimeout: timeouts.responseIdleTimeoutMs };
      // The one retry (retry.ts), on a connection of its own: the same options, the same untouched body.
      relay.retryWith(
        retryOnce(body, (reason) => {
          retried = reason;
          send(fresh, { ...options, reset: true }, relay);
        }),
      );
      send(pool, options, relay);
    });
  }

  return {
    origin,
    forward,
    reachable: (timeoutMs = 1_000) => tcpReachable(new URL(config.url), timeoutMs),
    pool: () => load.snapshot(),
    close: async () => {
      await Promise.all([pool.close(), fresh.close()]);
    },
  };
}

function send(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, relay: ResponseRelay): void {
  try {
    dispatcher.dispatch(options, relay);
  } catch (error) {
    relay.onError(error as Error);
  }
}

/** How many fresh connections retries may hold at once: an eighth of upstream.connections, at least 1. */
export function retryConnections(connections: number): number {
  return Math.max(1, Math.ceil(connections / 8));
}

function classify(error: unknown, clientGone: boolean): ForwardFailure {
  if (error instanceof BodyTooLargeError || (error as { cause?: unknown })?.cause instanceof BodyTooLargeError) return 'body_too_large';
  const timeout = timeoutKind(error);
  if (timeout === 'body_idle') return 'request_timeout';
  if (clientGone) return 'client_aborted';
  if (timeout === 'upstream_head') return 'upstream_timeout';
  return 'upstream_unreachable';
}

/** A TCP connect to the upstream: the reachability half of /readyz (the primary of a cluster probes with it too). */
export function tcpReachable(url: URL, timeoutMs: number): Promise<boolean> {
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
