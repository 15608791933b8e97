// One decided request, answered: a refusal or a preflight by the responder, anything else
// forwarded; the result is the request's one Outcome (observe/outcome.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UNMATCHED_ROUTE, type Outcome } from '../observe/outcome.js';
import type { Verdict } from '../pipeline/index.js';
import type { ForwardResult } from '../proxy/proxy.js';
import type { ServingState } from './state.js';

/**
 * Answers or forwards one decided request with the state it was decided under (held by the
 * caller, released here); resolves with its outcome once the answer is complete.
 */
export async function answer(state: ServingState, req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number, verdict: Verdict): Promise<Outcome> {
  let status: number;
  let forwarded: ForwardResult | undefined;
  try {
    if (verdict.kind === 'deny') status = state.respond.deny(req, res, requestId, verdict.denial, { route: verdict.route });
    else if (verdict.kind === 'preflight') status = state.respond.preflight(req, res, requestId, verdict.route);
    else ({ status } = forwarded = await state.forward(req, res, requestId, verdict));
  } finally {
    state.release();
  }
  const reason = verdict.kind === 'deny' ? verdict.denial.reason : forwarded?.reason;
  const identity = verdict.kind === 'preflight' ? undefined : verdict.identity;
  const tokenCached = verdict.kind === 'preflight' ? undefined : verdict.tokenCached;
  return {
    requestId,
    method: req.method ?? '',
    route: verdict.route?.template ?? UNMATCHED_ROUTE,
    status,
    durationMs: performance.now() - startedAt,
    ...(forwarded?.upstreamMs !== undefined ? { upstreamMs: forwarded.upstreamMs } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(forwarded?.timeout !== undefined ? { timeout: forwarded.timeout } : {}),
    ...(forwarded?.retried !== undefined ? { retried: forwarded.retried } : {}),
    ...(identity ? { subject: identity.subject } : {}),
    ...(tokenCached !== undefined ? { tokenCached } : {}),
  };
}
