// The fair-share keys: limits.response_idle_timeout, body_idle_timeout, concurrent_per_subject,
// and rate_limit at the top level and per route — defaults, what is accepted, what is refused
// (by key path, as --check-config lists it).
import { describe, expect, it } from 'vitest';
import { base, expectProblem, load } from './helpers.js';

describe('limits: the idle time-outs and the per-subject share', () => {
  it('default to 30 s, 10 s and a quarter of upstream.connections', () => {
    expect(load(base()).config.limits).toMatchObject({ responseIdleTimeoutMs: 30_000, bodyIdleTimeoutMs: 10_000, concurrentPerSubject: 16 });
    const tree = base();
    tree.upstream.connections = 6;
    expect(load(tree).config.limits.concurrentPerSubject).toBe(1);
    tree.upstream.connections = 1;
    expect(load(tree).config.limits.concurrentPerSubject).toBe(1);
  });

  it('read durations and a count', () => {
    const tree = base();
    tree.limits = { response_idle_timeout: '2m', body_idle_timeout: '500ms', concurrent_per_subject: 64 };
    expect(load(tree).config.limits).toMatchObject({ responseIdleTimeoutMs: 120_000, bodyIdleTimeoutMs: 500, concurrentPerSubject: 64 });
  });

  it('refuse zero, nonsense, and a share larger than the pool', () => {
    for (const key of ['response_idle_timeout', 'body_idle_timeout']) {
      const tree = base();
      tree.limits = { [key]: 0 };
      expectProblem(tree, `limits.${key}`, /./);
      tree.limits = { [key]: 'soon' };
      expectProblem(tree, `limits.${key}`, /./);
    }
    const tree = base();
    tree.limits = { concurrent_per_subject: 0 };
    expectProblem(tree, 'limits.concurrent_per_subject', /./);
    tree.limits = { concurrent_per_subject: 65 };
    expectProblem(tree, 'limits.concurrent_per_subject', /more than upstream\.connections \(64\): one subject could then hold the whole pool/);
  });

  it('warn when a body idle time-out cannot fire before limits.request_timeout does', () => {
    const tree = base();
    tree.limits = { header_timeout: '2s', request_timeout: '5s', body_idle_timeout: '5s' };
    expect(load(tree).warnings).toEqual([expect.stringMatching(/^limits\.body_idle_timeout: is not shorter than limits\.request_timeout/)]);
  });
});

describe('rate_limit', () => {
  it('is off by default, at the top level and on every route', () => {
    const { config } = load(base());
    expect(config.rateLimit).toBeUndefined();
    expect(config.routes[0]!.rateLimit).toBeUndefined();
  });

  it('reads { requests, per } at the top level and per route, and `off` on a route', () => {
    const tree = base();
    tree.rate_limit = { requests: 100, per: '1m' };
    tree.routes.push({ path: '/api/:user_id/tasks/:id', methods: ['GET'], owner: 'user_id', rate_limit: 'off' });
    tree.routes.push({ path: '/health', methods: ['GET'], public: true, rate_limit: { requests: 5, per: '10s' } });
    const { config } = load(tree);
    expect(config.rateLimit).toEqual({ requests: 100, perSeconds: 60 });
    expect(config.routes.map((r) => r.rateLimit)).toEqual([undefined, 'off', { requests: 5, perSeconds: 10 }]);
    tree.rate_limit = 'off';
    expect(load(tree).config.rateLimit).toBeUndefined();
  });

  it('refuses what is not a policy, by key path', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ requests: 0, per: '1m' }, 'rate_limit.requests', /./],
      [{ requests: 10 }, 'rate_limit.per', /required|missing/i],
      [{ requests: 10, per: '1500ms' }, 'rate_limit.per', /whole number of seconds/],
      [{ requests: 10, per: '2d' }, 'rate_limit.per', /from 1s to 24h/],
      [{ requests: 10, per: '1m', burst: 3 }, 'rate_limit.burst', /unknown key/],
      [100, 'rate_limit', /must be \{ requests: 100, per: 1m \} or off/],
    ];
    for (const [value, path, message] of cases) {
      const tree = base();
      tree.rate_limit = value;
      expectProblem(tree, path, message);
    }
    const tree = base();
    tree.routes[0].rate_limit = { requests: 'many', per: '1m' };
    expectProblem(tree, 'routes[0].rate_limit.requests', /./);
  });
});
