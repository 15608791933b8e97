// THREATS.md family 10 — one subject sending too many requests. `rate_limit` (top level, or per
// route, or `off`) counts each verified subject (client address on public routes) and answers
// 429 rate_limited with Retry-After and the IETF RateLimit-Policy / RateLimit fields; the owner
// rule comes first, so refused requests never spend anyone's budget. In memory here (one
// process); the Redis and multi-replica suites share one budget.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/gateway-config.js';
import { hs256Config, TASK_ROUTES, testEnv } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { metricReaches, metricValue } from '../support/metrics.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { call, expectDenial, type Reply } from '../support/threat-kit.js';

const ROUTES = `
routes:
  - path: /api/:user_id/tasks
    methods: [GET, POST]
    owner: user_id
  - path: /api/:user_id/tasks/:id
    methods: [GET, PUT, DELETE]
    owner: user_id
    rate_limit: off
  - path: /api/:user_id/tasks/:id/complete
    methods: [PATCH]
    owner: user_id
    rate_limit: { requests: 1, per: 10s }
  - path: /health
    methods: [GET]
    public: true
    rate_limit: { requests: 2, per: 1m }
`;

const upstream = useUpstream();
const configYaml = (rateLimit = '{ requests: 3, per: 1m }') => hs256Config(upstream.url, `rate_limit: ${rateLimit}\ntrust_proxy: [127.0.0.1]`).replace(TASK_ROUTES, ROUTES);
const gateway = useGateway(() => configYaml());
const [alice, bob, mallory, erin] = await Promise.all(['alice', 'bob', 'mallory', 'erin'].map((sub) => hs256Token(sub)));

const tasks = (token: string, owner: string, path = '') => call(gateway.url, { path: `/api/${owner}/tasks${path}`, headers: { authorization: `Bearer ${token}` } });
const health = (forwardedFor: string) => call(gateway.url, { path: '/health', headers: { 'x-forwarded-for': forwardedFor } });

/** The RateLimit field's remaining (r) and reset (t) parameters. */
function rateState(reply: Reply): { r: number; t: number } {
  const match = /^"([^"]+)";r=(\d+);t=(\d+)$/.exec(String(reply.headers['ratelimit']));
  expect(match, String(reply.headers['ratelimit'])).not.toBeNull();
  return { r: Number(match![2]), t: Number(match![3]) };
}

describe('the default rate_limit', () => {
  it('lets a subject send its budget, then answers 429 rate_limited with Retry-After and RateLimit fields; the upstream sees only the budget', async () => {
    const before = await metricValue(gateway.adminUrl, 'gateway_limited_total', { reason: 'rate_limited' });
    const allowed = [await tasks(alice, 'alice'), await tasks(alice, 'alice'), await tasks(alice, 'alice')];
    expect(allowed.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const reply of allowed) expect(reply.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
    expect(allowed.map((r) => rateState(r).r)).toEqual([2, 1, 0]);
    for (const reply of allowed) expect(rateState(reply).t).toBeGreaterThanOrEqual(1);

    const refused = await tasks(alice, 'alice');
    const body = expectDenial(refused, 429, 'rate_limited');
    expect(body['error']).toBe('too_many_requests');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
    expect(rateState(refused)).toEqual({ r: 0, t: retryAfter });
    expect(upstream.requests.filter((r) => r.url === '/api/alice/tasks')).toHaveLength(3);
    await metricReaches(gateway.adminUrl, 'gateway_limited_total', { reason: 'rate_limited' }, before + 1);
  });

  it('is a budget per subject: bob is served while alice is limited; a browser may read the fields (CORS exposes them)', async () => {
    const reply = await call(gateway.url, { path: '/api/bob/tasks', headers: { authorization: `Bearer ${bob}`, origin: 'http://localhost:3000' } });
    expect(reply.status).toBe(200);
    expect(String(reply.headers['access-control-expose-headers'])).toContain('ratelimit-policy, ratelimit');
  });

  it('counts only requests the owner rule lets through: mallory\'s refused requests for alice spend nothing', async () => {
    for (let i = 0; i < 5; i++) expectDenial(await tasks(mallory, 'alice'), 403, 'user_mismatch');
    const own = [await tasks(mallory, 'mallory'), await tasks(mallory, 'mallory'), await tasks(mallory, 'mallory')];
    expect(own.map((r) => r.status)).toEqual([200, 200, 200]);
    expectDenial(await tasks(mallory, 'mallory'), 429, 'rate_limited');
  });
});

describe('a route\'s own rate_limit', () => {
  it('off: never limited and no RateLimit fields', async () => {
    for (let i = 0; i < 5; i++) {
      const reply = await tasks(erin, 'erin', '/1');
      expect(reply.status).toBe(200);
      expect(reply.headers['ratelimit']).toBeUndefined();
      expect(reply.headers['ratelimit-policy']).toBeUndefined();
    }
  });

  it('its own policy is its own budget, named by its template', async () => {
    const first = await call(gateway.url, { method: 'PATCH', path: '/api/erin/tasks/1/complete', headers: { authorization: `Bearer ${erin}` } });
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"/api/:user_id/tasks/:id/complete";q=1;w=10');
    const second = await call(gateway.url, { method: 'PATCH', path: '/api/erin/tasks/1/complete', headers: { authorization: `Bearer ${erin}` } });
    expectDenial(second, 429, 'rate_limited');
    expect(Number(second.headers['retry-after'])).toBeLessThanOrEqual(10);
    // The default budget is untouched by it.
    expect(rateState(await tasks(erin, 'erin')).r).toBe(2);
  });
});

describe('public routes', () => {
  it('count by client address — the trusted proxy\'s X-Forwarded-For hop, not a prepended claim', async () => {
    expect((await health('203.0.113.20')).status).toBe(200);
    expect((await health('203.0.113.20')).status).toBe(200);
    expectDenial(await health('203.0.113.20'), 429, 'rate_limited');
    expectDenial(await health('192.0.2.1, 203.0.113.20'), 429, 'rate_limited');
    expect((await health('198.51.100.20')).status).toBe(200);
  });
});

describe('a reload', () => {
  async function reload(yaml: string): Promise<void> {
    const result = await gateway.gateway.prepareReload(parseConfig(yaml, testEnv).config);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    result.prepared.commit();
  }

  it('keeps a subject\'s count while its policy is unchanged, and counts afresh under a changed one', async () => {
    expectDenial(await tasks(alice, 'alice'), 429, 'rate_limited'); // her budget went in the first test
    await reload(`${configYaml()}\nrealm: reloaded`);
    expectDenial(await tasks(alice, 'alice'), 429, 'rate_limited');
    await reload(configYaml('{ requests: 10, per: 1m }'));
    const fresh = await tasks(alice, 'alice');
    expect(fresh.status).toBe(200);
    expect(fresh.headers['ratelimit-policy']).toBe('"default";q=10;w=60');
    expect(rateState(fresh).r).toBe(9);
  });
});
