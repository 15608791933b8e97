// THREATS.md family 10 — many parallel requests of one subject. limits.concurrent_per_subject
// (default: a quarter of upstream.connections) caps what one subject has in flight upstream;
// beyond it the answer is 429 concurrency_limited with Retry-After at once — never a place in
// the queue behind the whole pool. Public routes count by client address.
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { hs256Config } from '../support/gateway.js';
import { startHeldUpstream } from '../support/held-upstream.js';
import { hs256Token } from '../support/hs256.js';
import { metricValue } from '../support/metrics.js';
import { useGateway, useServer } from '../support/suite.js';
import { call, expectDenial } from '../support/threat-kit.js';

const CONNECTIONS = 8; // default share: 2 per subject

const upstream = useServer(async () => {
  const held = await startHeldUpstream();
  held.answerAtOnce('/api/alice/');
  return held;
}, 'the held upstream');
const gateway = useGateway(() => hs256Config(upstream.url, 'trust_proxy: [127.0.0.1]').replace('timeout: 2s', `timeout: 5s\n  connections: ${CONNECTIONS}`));
const [mallory, alice] = await Promise.all([hs256Token('mallory'), hs256Token('alice')]);
afterEach(() => upstream.releaseAll());

const asMallory = (path = '/api/mallory/tasks') => call(gateway.url, { path, headers: { authorization: `Bearer ${mallory}` } });

describe('one subject with many requests in flight', () => {
  it('gets its share (upstream.connections / 4) forwarded, 429 concurrency_limited for the rest, and alice is served throughout', async () => {
    const forwardedBefore = upstream.arrived.length;
    const held = [asMallory(), asMallory('/api/mallory/tasks/1')];
    await upstream.heldCount(2);

    const extra = await Promise.all(Array.from({ length: 20 }, () => asMallory('/api/mallory/tasks/2')));
    for (const reply of extra) {
      expectDenial(reply, 429, 'concurrency_limited');
      expect(JSON.parse(reply.text)).toMatchObject({ error: 'too_many_requests' });
      expect(reply.headers['retry-after']).toBe('1');
    }
    expect(upstream.arrived.length - forwardedBefore, 'only her share reached the upstream').toBe(2);

    const other = await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` } });
    expect(other.status).toBe(200);

    upstream.releaseAll();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    // Her share is hers again once her requests are done.
    const again = asMallory();
    await upstream.heldCount(1);
    upstream.releaseAll();
    expect((await again).status).toBe(200);
    expect(await metricValue(gateway.adminUrl, 'gateway_limited_total', { reason: 'concurrency_limited' })).toBeGreaterThanOrEqual(20);
  });

  it('the owner rule comes first: another user\'s path is 403 even while her share is used up', async () => {
    const held = [asMallory(), asMallory()];
    await upstream.heldCount(2);
    const foreign = await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${mallory}` } });
    expectDenial(foreign, 403, 'user_mismatch');
    upstream.releaseAll();
    await Promise.all(held);
  });
});

describe('public routes', () => {
  const health = (forwardedFor?: string) => request(`${gateway.url}/health`, forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});

  it('count by client address: the trusted proxy\'s X-Forwarded-For hop, not the proxy itself', async () => {
    const first = [health('203.0.113.7'), health('203.0.113.7')];
    await upstream.heldCount(2);
    const third = await health('203.0.113.7');
    expect(third.statusCode).toBe(429);
    expect(await third.body.json()).toMatchObject({ reason: 'concurrency_limited' });
    // Another client behind the same proxy has its own share.
    const other = health('198.51.100.9');
    await upstream.heldCount(3);
    // A client cannot pick a fresh address by prepending one: only the hop the proxy added counts.
    const spoofed = await health('10.9.9.9, 203.0.113.7');
    expect(spoofed.statusCode).toBe(429);
    await spoofed.body.dump();
    upstream.releaseAll();
    for (const res of await Promise.all([...first, other])) {
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
  });

  it('count IPv6 clients by their /64', async () => {
    const first = [health('2001:db8:1:2::a'), health('2001:db8:1:2:ffff::b')];
    await upstream.heldCount(2);
    const sameSubnet = await health('2001:db8:1:2:0:0:0:c');
    expect(sameSubnet.statusCode).toBe(429);
    await sameSubnet.body.dump();
    upstream.releaseAll();
    for (const res of await Promise.all(first)) await res.body.dump();
  });
});
