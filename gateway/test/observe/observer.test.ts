// observe/observer.ts: one Outcome → one metrics observation and one access line, from the
// same value; the auth-denial counter moves for AUTH_REASONS and for nothing else.

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AUTH_REASONS, statusOf, type Reason } from '../../src/errors/reasons.js';
import { createLogger } from '../../src/observe/logger.js';
import { GatewayMetrics } from '../../src/observe/metrics.js';
import { UNMATCHED_ROUTE, type Outcome } from '../../src/observe/outcome.js';
import { createObserver } from '../../src/observe/observer.js';
import { createAccessLog } from '../../src/observe/request-log.js';
import { parseMetrics, sampleValue } from '../support/metrics.js';

// A Record over Reason: adding a reason without deciding here whether it is an auth denial fails tsc.
const IS_AUTH_DENIAL: Record<Reason, boolean> = {
  ambiguous_path: false,
  malformed_request: false,
  headers_too_large: false,
  multiple_credentials: true,
  missing_token: true,
  invalid_token: true,
  token_expired: true,
  token_revoked: true,
  user_mismatch: true,
  no_route: false,
  method_not_allowed: false,
  body_too_large: false,
  keys_unavailable: true,
  upstream_unreachable: false,
  upstream_timeout: false,
  request_timeout: false,
  concurrency_limited: false,
  rate_limited: false,
  unsupported_transfer_coding: false,
  http_version_not_supported: false,
  internal_error: false,
};
const REASONS = Object.keys(IS_AUTH_DENIAL) as Reason[];

function observer() {
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
      callback();
    },
  });
  const observe = createObserver(metrics, createAccessLog(createLogger('info', sink)));
  return { observe, lines, samples: async () => parseMetrics(await metrics.registry.metrics()) };
}

describe('createObserver', () => {
  it('one outcome gives one access line and one count, with the same route, method and status', async () => {
    const { observe, lines, samples } = observer();
    const outcome: Outcome = { requestId: 'req-9', method: 'DELETE', route: '/api/:user_id/tasks/:id', status: 204, durationMs: 3, upstreamMs: 2, subject: 'alice', tokenCached: true };
    observe(outcome);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ request_id: 'req-9', method: 'DELETE', route: '/api/:user_id/tasks/:id', status: 204, subject: 'alice', upstream_ms: 2 });
    const s = await samples();
    expect(sampleValue(s, 'gateway_requests_total')).toBe(1);
    expect(sampleValue(s, 'gateway_requests_total', { route: '/api/:user_id/tasks/:id', method: 'DELETE', status: '204' })).toBe(1);
    expect(sampleValue(s, 'gateway_upstream_duration_seconds_count')).toBe(1);
    expect(sampleValue(s, 'gateway_token_cache_total', { result: 'hit' })).toBe(1);
  });

  it('counts gateway_auth_denials_total for exactly the AUTH_REASONS, each under its own reason', async () => {
    expect(new Set(REASONS.filter((r) => IS_AUTH_DENIAL[r]))).toEqual(AUTH_REASONS);
    const { observe, lines, samples } = observer();
    for (const reason of REASONS) observe({ requestId: reason, method: 'GET', route: UNMATCHED_ROUTE, status: statusOf(reason), durationMs: 1, reason });
    expect(lines.map((l) => l['reason'])).toEqual(REASONS);
    const s = await samples();
    for (const reason of REASONS) expect(sampleValue(s, 'gateway_auth_denials_total', { reason }), reason).toBe(IS_AUTH_DENIAL[reason] ? 1 : 0);
    expect(sampleValue(s, 'gateway_auth_denials_total')).toBe(AUTH_REASONS.size);
    expect(sampleValue(s, 'gateway_requests_total')).toBe(REASONS.length);
  });

  it('a request without a reason is never an auth denial', async () => {
    const { observe, samples } = observer();
    observe({ requestId: 'r', method: 'GET', route: '/health', status: 200, durationMs: 1 });
    expect(sampleValue(await samples(), 'gateway_auth_denials_total')).toBe(0);
  });
});
