// --check-config must refuse exactly what start refuses, and accept what the contract allows.
import { describe, expect, it } from 'vitest';
import { base, expectProblem, load } from './helpers.js';

describe('config rules that start depends on', () => {
  it('refuses two routes on the same path even with different methods (the route compiler would refuse to start)', () => {
    const tree = base();
    tree['routes'] = [
      { path: '/pub', methods: ['GET'], public: true },
      { path: '/pub', methods: ['POST'] },
    ];
    expectProblem(tree, 'routes[1].path', /same paths as routes\[0\]/);
  });

  it('refuses jwks_max_stale shorter than jwks_cache: good keys would be dropped before the first refresh', () => {
    const tree = base();
    tree['auth'].jwks_cache = '2h';
    expectProblem(tree, 'auth.jwks_max_stale', /at least jwks_cache/);
    tree['auth'].jwks_max_stale = '3h';
    expect(load(tree).config.auth.jwksMaxStaleMs).toBe(3 * 3600_000);
  });

  it('accepts a 32-byte secret for HS384 (the contract\'s floor) with a warning pointing at RFC 7518', () => {
    const tree = base();
    tree['auth'].issuers = [{ name: 's', secret: '${S}', issuer: 'https://i', audience: 'https://a', algorithms: ['HS384'] }];
    const { config, warnings } = load(tree, { S: 'x'.repeat(40) });
    expect(config.auth.issuers[0]!.algorithms).toEqual(['HS384']);
    expect(warnings.join('\n')).toMatch(/RFC 7518 .* at least 48 bytes for HS384/);
    expectProblem(tree, 'auth.issuers[0].secret', /at least 32 bytes/, { S: 'x'.repeat(31) });
  });

  it('sets x-user-id and x-user-email from sub and email by default', () => {
    expect(load(base()).config.identityHeaders).toEqual([['x-user-id', 'sub'], ['x-user-email', 'email']]);
  });
});

describe('public routes overlapping protected ones', () => {
  it('warns when a public template can match a protected route\'s paths, and stays quiet when they are distinct', () => {
    const tree = base();
    tree['routes'] = [
      { path: '/api/public/:x', methods: ['GET'], public: true },
      { path: '/api/:user_id/tasks', methods: ['GET'], owner: 'user_id' },
      { path: '/health', methods: ['GET'], public: true },
    ];
    const { warnings } = load(tree);
    expect(warnings.filter((w) => w.includes('public route'))).toEqual([expect.stringMatching(/^routes\[0\]\.path: public route \/api\/public\/:x can match .* \/api\/:user_id\/tasks/)]);
    tree['routes'][0].path = '/public/:x';
    expect(load(tree).warnings.filter((w) => w.includes('public route'))).toEqual([]);
  });
});
