// One decided request, answered: a refusal or a preflight by the responder, anything else
// forwarded; the result is the request's one Outcome (observe/outcome.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UNMATCHED_ROUTE, type Outcome } from '../observe/outcome.js';
import type { Observe } from '../observe/observer.js';
import type { Verdict } from '../pipeline/index.js';
import type { ForwardResult } from '../proxy/proxy.js';
import type { ServingState } from './state.js';

/** Where an answered request goes: its outcome, or (for an unexpected error) the app's last resort. */
export interface Answered {
  readonly observe: Observe;
  readonly unexpected: (error: unknown, req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number) => void;
}

/**
 * Answers or forwards one decided request with the state it was decided under (held by the
 * caller, released here), and hands its outcome to `to.observe` once the answer is complete: at
 * once for the gateway's own answers, when the exchange is over for a forwarded request — in
 * the same callback that releases the state, so a forwarded request costs no promise of its own
 * beyond the exchange's. Throws only what a synchronous answer threw (the caller's to handle).
 */
export function answer(state: ServingState, req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number, verdict: Verdict, to: Answered): void {
  if (verdict.kind !== 'forward') {
    let status: number;
    try {
      status = verdict.kind === 'deny' ? state.respond.deny(req, res, requestId, verdict.denial, { route: verdict.route }) : state.respond.preflight(req, res, requestId, verdict.route);
    } finally {
      state.release();
    }
    return to.observe(outcomeOf(req, requestId, startedAt, verdict, status, undefined));
  }
  let forwarding: Promise<ForwardResult>;
  try {
    forwarding = state.forward(req, res, requestId, verdict);
  } catch (error) {
    state.release();
    throw error;
  }
  forwarding.then(
    (forwarded) => {
      state.release();
      to.observe(outcomeOf(req, requestId, startedAt, verdict, forwarded.status, forwarded));
    },
    (error: unknown) => {
      state.release();
      to.unexpected(error, req, res, requestId, startedAt);
    },
  );
}

/** The one Outcome of a request: only the fields that apply are set (no spread of empty objects). */
function outcomeOf(req: IncomingMessage, requestId: string, startedAt: number, verdict: Verdict, status: number, forwarded: ForwardResult | undefined): Outcome {
  const outcome: Mutable<Outcome> = {
    requestId,
    method: req.method ?? '',
    route: verdict.route?.template ?? UNMATCHED_ROUTE,
    status,
    durationMs: performance.now() - startedAt,
  };
  if (forwarded?.upstreamMs !== undefined) outcome.upstreamMs = forwarded.upstreamMs;
  const reason = verdict.kind === 'deny' ? verdict.denial.reason : forwarded?.reason;
  if (reason !== undefined) outcome.reason = reason;
  if (forwarded?.timeout !== undefined) outcome.timeout = forwarded.timeout;
  if (forwarded?.retried !== undefined) outcome.retried = forwarded.retried;
  if (verdict.kind !== 'preflight') {
    if (verdict.identity) outcome.subject = verdict.identity.subject;
    if (verdict.tokenCached !== undefined) outcome.tokenCached = verdict.tokenCached;
  }
  return outcome;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
