// observe/metrics.ts: each Outcome moves exactly the series it should, with bounded labels.

import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../src/observe/metrics.js';
import type { Outcome } from '../../src/observe/outcome.js';
import { parseMetrics, sampleValue, type Sample } from '../support/metrics.js';

const ROUTE = '/api/:user_id/tasks';
const FORWARDED: Outcome = { requestId: 'r', method: 'GET', route: ROUTE, status: 200, durationMs: 12, upstreamMs: 8, subject: 'alice', tokenCached: false };

async function samples(metrics: GatewayMetrics): Promise<Sample[]> {
  return parseMetrics(await metrics.registry.metrics());
}

describe('observeRequest', () => {
  it('counts requests by route, method and status', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.observeRequest(FORWARDED, false);
    metrics.observeRequest(FORWARDED, false);
    metrics.observeRequest({ ...FORWARDED, status: 201, method: 'POST' }, false);
    const s = await samples(metrics);
    expect(sampleValue(s, 'gateway_requests_total', { route: ROUTE, method: 'GET', status: '200' })).toBe(2);
    expect(sampleValue(s, 'gateway_requests_total', { route: ROUTE, method: 'POST', status: '201' })).toBe(1);
    expect(sampleValue(s, 'gateway_requests_total')).toBe(3);
  });

  it('methods outside the known set share the label OTHER, so a client cannot grow the series', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    for (const method of ['PROPFIND', 'BREW', 'get', 'X'.repeat(100)]) metrics.observeRequest({ ...FORWARDED, method, status: 405 }, false);
    const s = await samples(metrics);
    expect(sampleValue(s, 'gateway_requests_total', { method: 'OTHER' })).toBe(4);
    expect(s.filter((x) => x.name === 'gateway_requests_total').map((x) => x.labels['method'])).toEqual(['OTHER']);
  });

  it('observes the request duration in seconds, and the upstream duration only when there was one', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.observeRequest(FORWARDED, false);
    metrics.observeRequest({ ...FORWARDED, upstreamMs: undefined, status: 401, reason: 'missing_token' } as Outcome, true);
    const s = await samples(metrics);
    expect(sampleValue(s, 'gateway_request_duration_seconds_count', { route: ROUTE, method: 'GET' })).toBe(2);
    expect(sampleValue(s, 'gateway_request_duration_seconds_sum', { route: ROUTE })).toBeCloseTo(0.024, 9);
    expect(sampleValue(s, 'gateway_upstream_duration_seconds_count', { route: ROUTE })).toBe(1);
    expect(sampleValue(s, 'gateway_upstream_duration_seconds_sum', { route: ROUTE })).toBeCloseTo(0.008, 9);
    // 8 ms lands in the 0.01 s bucket and not the 0.005 s one.
    expect(sampleValue(s, 'gateway_upstream_duration_seconds_bucket', { le: '0.005' })).toBe(0);
    expect(sampleValue(s, 'gateway_upstream_duration_seconds_bucket', { le: '0.01' })).toBe(1);
  });

  it('counts an auth denial by reason only when told it is one', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.observeRequest({ ...FORWARDED, status: 403, reason: 'user_mismatch' }, true);
    metrics.observeRequest({ ...FORWARDED, status: 404, reason: 'no_route' }, false);
    const s = await samples(metrics);
    expect(sampleValue(s, 'gateway_auth_denials_total', { reason: 'user_mismatch' })).toBe(1);
    expect(sampleValue(s, 'gateway_auth_denials_total')).toBe(1);
  });

  it('counts token cache hits and misses, and nothing when no token was checked', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.observeRequest({ ...FORWARDED, tokenCached: false }, false);
    metrics.observeRequest({ ...FORWARDED, tokenCached: true }, false);
    metrics.observeRequest({ ...FORWARDED, tokenCached: true }, false);
    const { tokenCached: _none, ...publicRoute } = FORWARDED;
    metrics.observeRequest(publicRoute, false);
    const s = await samples(metrics);
    expect(sampleValue(s, 'gateway_token_cache_total', { result: 'miss' })).toBe(1);
    expect(sampleValue(s, 'gateway_token_cache_total', { result: 'hit' })).toBe(2);
  });
});

describe('keyFetch', () => {
  it('counts JWKS fetches by issuer and result', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.keyFetch('better-auth', 'success');
    metrics.keyFetch('better-auth', 'success');
    metrics.keyFetch('better-auth', 'timeout');
    metrics.keyFetch('other', 'success');
    const s = await samples(metrics);
    expect(sampleValue(s, 'gateway_jwks_fetches_total', { issuer: 'better-auth', result: 'success' })).toBe(2);
    expect(sampleValue(s, 'gateway_jwks_fetches_total', { issuer: 'better-auth', result: 'timeout' })).toBe(1);
    expect(sampleValue(s, 'gateway_jwks_fetches_total', { issuer: 'other' })).toBe(1);
  });
});

describe('the registry', () => {
  it('is one per gateway: two instances never share a count', async () => {
    const a = new GatewayMetrics({ defaultMetrics: false });
    const b = new GatewayMetrics({ defaultMetrics: false });
    a.observeRequest(FORWARDED, false);
    expect(sampleValue(await samples(a), 'gateway_requests_total')).toBe(1);
    expect(sampleValue(await samples(b), 'gateway_requests_total')).toBe(0);
  });

  it('has the process metrics under gateway_process_ unless turned off', async () => {
    const withDefaults = (await samples(new GatewayMetrics())).map((s) => s.name);
    expect(withDefaults.some((n) => n.startsWith('gateway_process_'))).toBe(true);
    expect((await samples(new GatewayMetrics({ defaultMetrics: false }))).some((s) => s.name.startsWith('gateway_process_'))).toBe(false);
  });
});
