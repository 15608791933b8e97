// upstream.timeout bounds only the wait for the response head. A response that keeps moving — an
// event stream with pauses longer than upstream.timeout — is never cut by it; a response that
// stands still for limits.response_idle_timeout is.
import { beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { metricReaches, metricValue } from '../support/metrics.js';
import { useGateway, useUpstream } from '../support/suite.js';

const HEAD_TIMEOUT_MS = 300;
const IDLE_MS = 2_000;
/** When the upstream sends each event, ms after the head: dense, then one pause four times upstream.timeout. */
const EVENT_AT = [0, 200, 400, 600, 800, 2_000, 2_200];

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url, `limits: { response_idle_timeout: ${IDLE_MS}ms }`).replace('timeout: 2s', `timeout: ${HEAD_TIMEOUT_MS}ms`));
const alice = await hs256Token('alice');

beforeEach(() => {
  upstream.respondWith((request, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    if (request.url.endsWith('/1')) return void res.flushHeaders(); // a head, then nothing at all
    const started = performance.now();
    EVENT_AT.forEach((at, i) => {
      // The upstream's own schedule (what is being tested), not synchronisation of the test.
      setTimeout(() => {
        res.write(`id: ${i}\ndata: ${Math.round(performance.now() - started)}\n\n`);
        if (i === EVENT_AT.length - 1) res.end();
      }, at);
    });
  });
});

describe('a streaming response', () => {
  it('that keeps moving is relayed whole, though it lasts many times upstream.timeout and pauses longer than it', async () => {
    const res = await request(`${gateway.url}/api/alice/tasks`, { headers: { authorization: `Bearer ${alice}`, accept: 'text/event-stream' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const text = await res.body.text();
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual(EVENT_AT.map((_, i) => i));
  });

  it('that stands still for response_idle_timeout after its head is cut off, and counted', async () => {
    const before = await metricValue(gateway.adminUrl, 'gateway_timeouts_total', { kind: 'response_idle' });
    const started = performance.now();
    const res = await request(`${gateway.url}/api/alice/tasks/1`, { headers: { authorization: `Bearer ${alice}` } });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(IDLE_MS);
    // undici checks its idle timer on a half-second tick.
    expect(elapsed).toBeLessThan(IDLE_MS + 1_500);
    await metricReaches(gateway.adminUrl, 'gateway_timeouts_total', { kind: 'response_idle' }, before + 1);
  });
});
