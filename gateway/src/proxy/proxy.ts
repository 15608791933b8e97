// The last step for an authorized request: the upstream's headers (strip, then inject), the hop
// itself, and — if the upstream could not answer — a 502/504/413 in the contract's format.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deny, type Reason } from '../errors/reasons.js';
import type { Responder } from '../errors/respond.js';
import type { CompiledRoute } from '../pipeline/route/table.js';
import type { ProxyConfig } from './proxy-config.js';
import type { Identity } from '../pipeline/authn/index.js';
import type { Admission } from '../pipeline/limits/index.js';
import type { RequestTarget } from '../pipeline/target/index.js';
import { clientOrigin } from './client-origin.js';
import { closeLingering, discardRest, isLingering } from './linger.js';
import { createOutgoingHeaders } from './outgoing-headers.js';
import { buildClientHeaders } from './response-headers.js';
import type { RetryReason } from './retry.js';
import type { TimeoutKind } from './timeout-errors.js';
import type { ForwardOutcome, Upstream } from './upstream.js';

/** How a forwarded request ended, for the outcome. */
export interface ForwardResult {
  /** What the client got: the upstream's status, the gateway's 502/504/413, or 499 (client gone before a head). */
  readonly status: number;
  readonly upstreamMs?: number;
  readonly reason?: Reason;
  /** The time-out that ended it, if one did. */
  readonly timeout?: TimeoutKind;
  /** Why it was sent a second time, if it was (its first attempt never reached the upstream). */
  readonly retried?: RetryReason;
}

export interface ForwardRequest {
  readonly target: RequestTarget;
  /** Verified identity; absent on public routes, which never get identity headers. */
  readonly identity?: Identity | undefined;
  /** The limits stage's admission: its RateLimit headers go on the response. */
  readonly admission?: Admission | undefined;
}

export type Forward = (req: IncomingMessage, res: ServerResponse, requestId: string, request: ForwardRequest) => Promise<ForwardResult>;

export function createForward(config: ProxyConfig, upstream: Upstream, respond: Responder<CompiledRoute>): Forward {
  const upstreamOrigin = new URL(config.upstream.url).origin;
  const outgoingHeaders = createOutgoingHeaders(config);

  return function forward(req, res, requestId, { target, identity, admission }) {
    // A request pipelined behind a refused body is never acted on, nor answered: its connection
    // is closing (linger.ts lets it go), and the client never gets a head for it.
    if (isLingering(req.socket)) {
      admission?.release();
      return Promise.resolve({ status: 499 });
    }
    let exchanged: Promise<ForwardOutcome>;
    try {
      const { headers, trusted } = outgoingHeaders(req, requestId, identity);
      const cors = respond.corsHeaders(req);
      exchanged = upstream.forward(req, res, {
        pathAndQuery: target.path + target.query,
        headers,
        bodyLimitBytes: config.limits.bodyBytes,
        timeouts: config.limits,
        clientHeaders: (upstreamHeaders) =>
          buildClientHeaders(upstreamHeaders, { upstreamOrigin, clientOrigin: clientOrigin(req.headers, trusted), requestId, cors, rateLimit: admission?.rateLimit }),
      });
    } catch (error) {
      admission?.release();
      return Promise.reject(error);
    }
    // The subject's concurrency slot is held until the upstream exchange is over, however it
    // ended; released in the one callback that also turns the exchange into a result.
    return exchanged.then(
      (outcome) => {
        admission?.release();
        return resultOf(req, res, requestId, outcome);
      },
      (error: unknown) => {
        admission?.release();
        throw error;
      },
    );
  };

  /** What the client got, and what the outcome records, once the upstream exchange is over. */
  function resultOf(req: IncomingMessage, res: ServerResponse, requestId: string, outcome: ForwardOutcome): ForwardResult {
    // Answered before the upstream took the whole body: the rest is discarded (bounded), not left to block the connection.
    if (outcome.ok && !req.complete) discardRest(req);
    if (outcome.ok) return outcome.retried ? { status: outcome.status, upstreamMs: outcome.upstreamMs, retried: outcome.retried } : { status: outcome.status, upstreamMs: outcome.upstreamMs };
    const timed = { ...(outcome.timeout ? { timeout: outcome.timeout } : {}), ...(outcome.retried ? { retried: outcome.retried } : {}) };
    if (outcome.failure === 'response_aborted') {
      // Cut by a time-out, or by the client leaving, is not the upstream's failure.
      const blame = outcome.timeout || outcome.clientGone ? {} : { reason: 'upstream_unreachable' as const };
      return { status: outcome.status, upstreamMs: outcome.upstreamMs, ...blame, ...timed };
    }
    if (outcome.failure === 'client_aborted' || res.headersSent || res.destroyed) return { status: res.headersSent ? res.statusCode : 499, ...timed };
    // The refusal closes the connection (its body is unread): closed lingering, so it is read.
    if (!req.complete) closeLingering(req, res);
    const status = respond.deny(req, res, requestId, deny(outcome.failure), { close: !req.complete });
    return { status, reason: outcome.failure, ...timed };
  }
}
