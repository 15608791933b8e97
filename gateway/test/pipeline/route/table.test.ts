import { describe, expect, it } from 'vitest';
import type { RouteConfig } from '../../../src/config/types.js';
import { compileRoutes, type RouteTable } from '../../../src/pipeline/route/index.js';
import { parseRequestTarget } from '../../../src/pipeline/target/index.js';

/** The example config of docs/contract.md. */
const PRODUCT_ROUTES: RouteConfig[] = [
  { path: '/api/:user_id/tasks', methods: ['GET', 'POST'], owner: 'user_id', public: false },
  { path: '/api/:user_id/tasks/:id', methods: ['GET', 'PUT', 'DELETE'], owner: 'user_id', public: false },
  { path: '/api/:user_id/tasks/:id/complete', methods: ['PATCH'], owner: 'user_id', public: false },
  { path: '/health', methods: ['GET'], public: true },
];

function segmentsOf(rawUrl: string): readonly string[] {
  const r = parseRequestTarget(rawUrl);
  if (!r.ok) throw new Error(`test path refused: ${rawUrl}`);
  return r.target.segments;
}

function templateOf(table: RouteTable, rawUrl: string): string | undefined {
  return table.find(segmentsOf(rawUrl))?.route.template;
}

describe('compileRoutes: the docs/contract.md example table', () => {
  const table = compileRoutes(PRODUCT_ROUTES);

  const found: Array<[rawUrl: string, template: string | undefined, params: Record<string, string> | undefined]> = [
    ['/api/alice/tasks', '/api/:user_id/tasks', { user_id: 'alice' }],
    ['/api/alice/tasks?user_id=bob', '/api/:user_id/tasks', { user_id: 'alice' }],
    ['/api/alice/tasks/42', '/api/:user_id/tasks/:id', { user_id: 'alice', id: '42' }],
    ['/api/alice/tasks/42/complete', '/api/:user_id/tasks/:id/complete', { user_id: 'alice', id: '42' }],
    ['/api/%61lice/tasks', '/api/:user_id/tasks', { user_id: 'alice' }],
    ['/api/a%20b/tasks', '/api/:user_id/tasks', { user_id: 'a b' }],
    ['/api/%252e%252e/tasks', '/api/:user_id/tasks', { user_id: '%2e%2e' }],
    ['/health', '/health', {}],
    // No match: default deny.
    ['/', undefined, undefined],
    ['/api', undefined, undefined],
    ['/api/alice', undefined, undefined],
    ['/api/alice/tasks/', undefined, undefined],
    ['/api/alice/tasks/42/', undefined, undefined],
    ['/api/alice/tasks/42/complete/', undefined, undefined],
    ['/api/alice/tasks/42/complete/x', undefined, undefined],
    ['/api/alice/Tasks', undefined, undefined],
    ['/API/alice/tasks', undefined, undefined],
    ['/Health', undefined, undefined],
    ['/health/', undefined, undefined],
    ['/healthz', undefined, undefined],
    ['/api/alice/task', undefined, undefined],
    ['/other/alice/tasks', undefined, undefined],
  ];
  it.each(found)('find %s → %s', (rawUrl, template, params) => {
    const m = table.find(segmentsOf(rawUrl));
    expect(m?.route.template).toBe(template);
    if (params) expect({ ...m?.params }).toEqual(params);
  });

  it('gives parameters on a prototype-less object', () => {
    const m = table.find(segmentsOf('/api/alice/tasks'));
    expect(Object.getPrototypeOf(m?.params)).toBeNull();
  });

  const methods: Array<[rawUrl: string, method: string, outcome: string, allow?: string[]]> = [
    ['/api/alice/tasks', 'GET', 'ok'],
    ['/api/alice/tasks', 'HEAD', 'ok'],
    ['/api/alice/tasks', 'POST', 'ok'],
    ['/api/alice/tasks', 'PUT', 'method_not_allowed', ['GET', 'HEAD', 'POST']],
    ['/api/alice/tasks', 'DELETE', 'method_not_allowed', ['GET', 'HEAD', 'POST']],
    ['/api/alice/tasks', 'OPTIONS', 'method_not_allowed', ['GET', 'HEAD', 'POST']],
    ['/api/alice/tasks', 'get', 'method_not_allowed', ['GET', 'HEAD', 'POST']],
    ['/api/alice/tasks', 'Get', 'method_not_allowed', ['GET', 'HEAD', 'POST']],
    ['/api/alice/tasks', 'head', 'method_not_allowed', ['GET', 'HEAD', 'POST']],
    ['/api/alice/tasks', '', 'method_not_allowed', ['GET', 'HEAD', 'POST']],
    ['/api/alice/tasks/1', 'GET', 'ok'],
    ['/api/alice/tasks/1', 'HEAD', 'ok'],
    ['/api/alice/tasks/1', 'PUT', 'ok'],
    ['/api/alice/tasks/1', 'DELETE', 'ok'],
    ['/api/alice/tasks/1', 'PATCH', 'method_not_allowed', ['GET', 'HEAD', 'PUT', 'DELETE']],
    ['/api/alice/tasks/1', 'POST', 'method_not_allowed', ['GET', 'HEAD', 'PUT', 'DELETE']],
    ['/api/alice/tasks/1/complete', 'PATCH', 'ok'],
    ['/api/alice/tasks/1/complete', 'patch', 'method_not_allowed', ['PATCH']],
    ['/api/alice/tasks/1/complete', 'GET', 'method_not_allowed', ['PATCH']],
    ['/api/alice/tasks/1/complete', 'HEAD', 'method_not_allowed', ['PATCH']],
    ['/health', 'GET', 'ok'],
    ['/health', 'HEAD', 'ok'],
    ['/health', 'POST', 'method_not_allowed', ['GET', 'HEAD']],
    ['/nope', 'GET', 'no_route'],
    ['/api/alice/tasks/', 'GET', 'no_route'],
  ];
  it.each(methods)('match %s %s → %s', (rawUrl, method, outcome, allow) => {
    const r = table.match(segmentsOf(rawUrl), method);
    expect(r.ok ? 'ok' : r.reason).toBe(outcome);
    if (!r.ok) expect(r.allow).toEqual(allow);
  });

  it('returns the route flags as configured', () => {
    const tasks = table.find(segmentsOf('/api/alice/tasks'))!.route;
    expect(tasks.owner).toBe('user_id');
    expect(tasks.public).toBe(false);
    expect([...tasks.methods].sort()).toEqual(['GET', 'HEAD', 'POST']);
    const health = table.find(segmentsOf('/health'))!.route;
    expect(health.public).toBe(true);
    expect(health.owner).toBeUndefined();
    expect(table.routes.map((r) => r.template)).toEqual(PRODUCT_ROUTES.map((r) => r.path));
  });

  it('returns frozen routes', () => {
    const route = table.find(segmentsOf('/health'))!.route;
    expect(Object.isFrozen(route)).toBe(true);
    expect(Object.isFrozen(route.allow)).toBe(true);
  });
});

describe('compileRoutes: priorities', () => {
  const table = compileRoutes([
    { path: '/api/:user_id/tasks', methods: ['GET', 'POST'], owner: 'user_id', public: false },
    { path: '/api/me/tasks', methods: ['GET'], public: false },
    { path: '/api/:user_id/tasks/:id', methods: ['GET'], owner: 'user_id', public: false },
    { path: '/api/:user_id/tasks/archive', methods: ['GET'], owner: 'user_id', public: false },
    { path: '/api/me/profile', methods: ['GET'], public: false },
    { path: '/:a/:b/:c', methods: ['GET'], public: true },
    { path: '/files/', methods: ['GET'], public: true },
    { path: '/', methods: ['GET'], public: true },
    { path: '/x/:p/y', methods: ['GET'], public: true },
    { path: '/x/q/:r', methods: ['GET'], public: true },
  ]);

  const cases: Array<[rawUrl: string, template: string | undefined, params?: Record<string, string>]> = [
    // A literal beats a parameter at the same position, wherever it is declared.
    ['/api/me/tasks', '/api/me/tasks', {}],
    ['/api/alice/tasks', '/api/:user_id/tasks', { user_id: 'alice' }],
    ['/api/alice/tasks/archive', '/api/:user_id/tasks/archive', { user_id: 'alice' }],
    ['/api/alice/tasks/7', '/api/:user_id/tasks/:id', { user_id: 'alice', id: '7' }],
    // A literal branch that leads nowhere falls back to the parameter.
    ['/api/me/tasks/7', '/api/:user_id/tasks/:id', { user_id: 'me', id: '7' }],
    ['/api/me/tasks/archive', '/api/:user_id/tasks/archive', { user_id: 'me' }],
    ['/api/me/other', '/:a/:b/:c', { a: 'api', b: 'me', c: 'other' }],
    ['/api/me/profile', '/api/me/profile', {}],
    ['/api/alice/profile', '/:a/:b/:c', { a: 'api', b: 'alice', c: 'profile' }],
    // The leftmost difference decides: /x/q/y matches both; "q" is literal at position 2 first.
    ['/x/q/y', '/x/q/:r', { r: 'y' }],
    ['/x/p/y', '/x/:p/y', { p: 'p' }],
    ['/x/q/z', '/x/q/:r', { r: 'z' }],
    // Root and trailing slash are their own paths.
    ['/', '/', {}],
    ['/files/', '/files/', {}],
    ['/files', undefined],
    ['/files/a', undefined],
    // A parameter never matches the empty trailing segment.
    ['/api/alice/', undefined],
    ['/a/b/', undefined],
  ];
  it.each(cases)('%s → %s', (rawUrl, template, params) => {
    const m = table.find(segmentsOf(rawUrl));
    expect(m?.route.template).toBe(template);
    if (params) expect({ ...m?.params }).toEqual(params);
  });

  it('picks the route by path first, then checks the method (405, not a fallback)', () => {
    const r = table.match(segmentsOf('/api/me/tasks'), 'POST');
    expect(r).toMatchObject({ ok: false, reason: 'method_not_allowed', allow: ['GET', 'HEAD'] });
  });
});

describe('compileRoutes: allow lists', () => {
  it.each([
    [['GET'], ['GET', 'HEAD']],
    [['POST', 'GET'], ['POST', 'GET', 'HEAD']],
    [['GET', 'HEAD'], ['GET', 'HEAD']],
    [['HEAD', 'GET'], ['HEAD', 'GET']],
    [['HEAD'], ['HEAD']],
  ])('%j → %j', (methods, allow) => {
    const table = compileRoutes([{ path: '/r', methods, public: true }]);
    const route = table.find(['r'])!.route;
    expect(route.allow).toEqual(allow);
    expect([...route.methods].sort()).toEqual([...allow].sort());
  });

  it('answers HEAD only where GET (or HEAD) is configured', () => {
    const table = compileRoutes([{ path: '/r', methods: ['POST'], public: true }]);
    expect(table.match(['r'], 'HEAD')).toMatchObject({ ok: false, reason: 'method_not_allowed', allow: ['POST'] });
  });
});

describe('compileRoutes: refused configs', () => {
  const bad: Array<[what: string, routes: RouteConfig[], problem: RegExp]> = [
    ['no leading slash', [{ path: 'api/x', methods: ['GET'], public: true }], /routes\[0\]\.path.*start with/],
    ['empty segment', [{ path: '/api//x', methods: ['GET'], public: true }], /empty segment/],
    ['dot segment', [{ path: '/api/../x', methods: ['GET'], public: true }], /"\.\." segment/],
    ['percent', [{ path: '/api/%2e', methods: ['GET'], public: true }], /percent-encoding/],
    ['semicolon', [{ path: '/api/a;b', methods: ['GET'], public: true }], /";" is not allowed/],
    ['query', [{ path: '/api?x=1', methods: ['GET'], public: true }], /"\?" is not allowed/],
    ['backslash', [{ path: '/api\\x', methods: ['GET'], public: true }], /is not allowed/],
    ['empty param name', [{ path: '/api/:', methods: ['GET'], public: true }], /parameter/],
    ['odd param name', [{ path: '/api/:user-id', methods: ['GET'], public: true }], /parameter/],
    ['duplicate param', [{ path: '/api/:id/x/:id', methods: ['GET'], public: true }], /twice/],
    ['same shape twice', [
      { path: '/api/:user_id/tasks', methods: ['GET'], public: false },
      { path: '/api/:uid/tasks', methods: ['POST'], public: false },
    ], /routes\[1\]\.path.*same requests as routes\[0\]/],
    ['owner not a parameter', [{ path: '/api/:user_id/tasks', methods: ['GET'], owner: 'uid', public: false }], /routes\[0\]\.owner: must name a parameter/],
    ['public with owner', [{ path: '/api/:user_id/tasks', methods: ['GET'], owner: 'user_id', public: true }], /public/],
    ['no methods', [{ path: '/x', methods: [], public: true }], /must not be an empty list/],
    ['bad method token', [{ path: '/x', methods: ['GE T'], public: true }], /routes\[0\]\.methods\[0\]: unknown method/],
  ];
  it.each(bad)('%s', (_what, routes, problem) => {
    expect(() => compileRoutes(routes)).toThrow(problem);
  });

  it('compiles the docs/contract.md example table', () => {
    expect(() => compileRoutes(PRODUCT_ROUTES)).not.toThrow();
  });
});

describe('compileRoutes: speed', () => {
  it('matches in time linear in the path, with many routes and deep paths', () => {
    const routes: RouteConfig[] = [];
    for (let i = 0; i < 200; i++) routes.push({ path: `/svc${i}/:a/items/:b/x${i}`, methods: ['GET'], public: true });
    // Many parameters at every depth: the worst case for a backtracking matcher.
    const params = (n: number) => Array.from({ length: n }, (_, k) => `/:p${k}`).join('');
    for (let d = 1; d <= 30; d++) {
      routes.push({ path: params(d) + '/end', methods: ['GET'], public: true });
      routes.push({ path: params(d) + '/seg/:q/end', methods: ['GET'], public: true });
    }
    const table = compileRoutes(routes);
    const deep = Array.from({ length: 63 }, () => 'seg');
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) {
      expect(table.match(deep, 'GET').ok).toBe(false);
      expect(table.match(['svc7', 'a', 'items', 'b', 'x7'], 'GET').ok).toBe(true);
    }
    expect(performance.now() - started).toBeLessThan(3000);
    expect(templateOf(table, '/a/b/c/end')).toBe('/:p0/:p1/:p2/end');
    expect(templateOf(table, '/a/b/seg/c/end')).toBe('/:p0/:p1/seg/:q/end');
    expect(templateOf(table, '/a/b/seg/c/x/end')).toBe('/:p0/:p1/:p2/:p3/:p4/end');
  });

  it('compiles, and matches correctly, a table that made a subset-construction matcher explode', () => {
    // A literal at each position, parameters elsewhere: 2^n combinations of reachable templates.
    const n = 20;
    const routes: RouteConfig[] = [];
    for (let i = 0; i < n; i++) {
      const segs = Array.from({ length: n }, (_, k) => (k === i ? '/a' : `/:p${k}`));
      routes.push({ path: segs.join(''), methods: ['GET'], public: true });
    }
    const table = compileRoutes(routes);
    const path = (literalAt: number) => '/' + Array.from({ length: n }, (_, k) => (k === literalAt ? 'a' : 'z')).join('/');
    for (let i = 0; i < n; i++) expect(templateOf(table, path(i))).toBe(routes[i]!.path);
    // All literals: the leftmost literal wins.
    expect(templateOf(table, '/' + Array.from({ length: n }, () => 'a').join('/'))).toBe(routes[0]!.path);
    expect(templateOf(table, path(-1))).toBeUndefined();
    // The same shape with few positions prefers the leftmost literal too.
    const small = compileRoutes([
      { path: '/a/:p1/:p2', methods: ['GET'], public: true },
      { path: '/:p0/a/:p2', methods: ['GET'], public: true },
      { path: '/:p0/:p1/a', methods: ['GET'], public: true },
    ]);
    expect(templateOf(small, '/a/a/a')).toBe('/a/:p1/:p2');
    expect(templateOf(small, '/x/a/a')).toBe('/:p0/a/:p2');
    expect(templateOf(small, '/x/y/a')).toBe('/:p0/:p1/a');
    expect(templateOf(small, '/x/y/z')).toBeUndefined();
  });
});
