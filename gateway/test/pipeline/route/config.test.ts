import { describe, expect, it } from 'vitest';
import { parseRouteTemplate, templateShape } from '../../../src/pipeline/route/index.js';
import { base, expectProblem, load, paths, problemsOf, type Tree } from '../../config/helpers.js';

function withRoutes(...routes: Tree[]): Tree {
  const tree = base();
  tree.routes = routes;
  return tree;
}

describe('routes', () => {
  it('normalizes routes: upper-case methods, public false by default, owner kept', () => {
    const { routes } = load(withRoutes(
      { path: '/api/:user_id/tasks/:id', methods: ['get', 'Put', 'DELETE'], owner: 'user_id' },
      { path: '/health', methods: ['GET', 'HEAD'], public: true },
      { path: '/me', methods: ['POST'] },
    )).config;
    expect(routes).toEqual([
      { path: '/api/:user_id/tasks/:id', methods: ['GET', 'PUT', 'DELETE'], owner: 'user_id', public: false },
      { path: '/health', methods: ['GET', 'HEAD'], public: true },
      { path: '/me', methods: ['POST'], public: false },
    ]);
  });

  it('requires a non-empty list', () => {
    const tree = base();
    delete tree.routes;
    expectProblem(tree, 'routes', /is required/);
    expectProblem(withRoutes(), 'routes', /must not be an empty list/);
    const notList = base();
    notList.routes = { path: '/a' };
    expectProblem(notList, 'routes', /must be a list/);
  });

  it('requires path and methods', () => {
    expect(problemsOf(withRoutes({ owner: 'x' }))).toEqual([
      { path: 'routes[0].path', message: 'is required' },
      { path: 'routes[0].methods', message: 'is required' },
    ]);
  });

  describe('path templates', () => {
    it.each([
      ['api/x', /must start with "\/"/],
      ['/a//b', /empty segment/],
      ['/a/./b', /"\." segment/],
      ['/a/../b', /"\.\." segment/],
      ['/a/%2e', /percent-encoding/],
      ['/a;v=1', /";" is not allowed/],
      ['/a?b=1', /"\?" is not allowed/],
      ['/a#b', /"#" is not allowed/],
      ['/a\\b', /"\\" is not allowed/],
      ['/a/*', /wildcards/],
      ['/a/:', /parameter ":"/],
      ['/a/:1x', /parameter ":1x"/],
      ['/a/:id.json', /parameter ":id.json"/],
      ['/a/b:c', /may contain only/],
      ['/a/(x)', /may contain only/],
      ['/a/ü', /may contain only/],
      ['/a b', /whitespace/],
      ['/:id/x/:id', /":id" appears twice/],
    ])('refuses %j', (path, message) => {
      expectProblem(withRoutes({ path, methods: ['GET'] }), 'routes[0].path', message);
    });

    it.each(['/', '/a/', '/api/:user_id/tasks/:id/complete', "/a-b.c_d~e!$&'+,=@", '/:_x/:X9'])('accepts %j', (path) => {
      expect(load(withRoutes({ path, methods: ['GET'] })).config.routes[0]!.path).toBe(path);
    });

    it('splits templates into literal and parameter segments (trailing slash kept)', () => {
      expect(parseRouteTemplate('/api/:user_id/tasks/')).toEqual({
        ok: true,
        segments: [
          { kind: 'literal', value: 'api' },
          { kind: 'param', name: 'user_id' },
          { kind: 'literal', value: 'tasks' },
          { kind: 'literal', value: '' },
        ],
      });
      const parsed = parseRouteTemplate('/a/:x/b');
      expect(parsed.ok && templateShape(parsed.segments)).toBe('/a/:/b');
    });
  });

  describe('methods', () => {
    it.each([
      ['OPTIONS', /answers CORS preflights itself/],
      ['options', /answers CORS preflights itself/],
      ['CONNECT', /tunnel/],
      ['TRACE', /cross-site tracing/],
      ['FETCH', /unknown method "FETCH"/],
      ['', /must not be empty/],
    ])('refuses %j', (method, message) => {
      expectProblem(withRoutes({ path: '/a', methods: ['GET', method] }), 'routes[0].methods[1]', message);
    });

    it('refuses a method listed twice (after upper-casing) and a non-list', () => {
      expectProblem(withRoutes({ path: '/a', methods: ['GET', 'get'] }), 'routes[0].methods[1]', /GET is listed twice/);
      expectProblem(withRoutes({ path: '/a', methods: 'GET' }), 'routes[0].methods', /must be a list like \[GET, POST\]/);
      expectProblem(withRoutes({ path: '/a', methods: [] }), 'routes[0].methods', /must not be an empty list/);
    });
  });

  describe('owner and public', () => {
    it('owner must name a parameter of the path', () => {
      expectProblem(withRoutes({ path: '/api/:user_id/tasks', methods: ['GET'], owner: 'userId' }), 'routes[0].owner', /its parameters: user_id/);
      expectProblem(withRoutes({ path: '/me', methods: ['GET'], owner: 'me' }), 'routes[0].owner', /has no parameters/);
    });

    it('public and owner together is a problem', () => {
      expectProblem(withRoutes({ path: '/u/:id', methods: ['GET'], owner: 'id', public: true }), 'routes[0].public', /cannot have an owner/);
    });

    it('public: false with an owner is fine, and public must be a boolean', () => {
      expect(load(withRoutes({ path: '/u/:id', methods: ['GET'], owner: 'id', public: false })).config.routes[0]!.public).toBe(false);
      expectProblem(withRoutes({ path: '/u', methods: ['GET'], public: 'yes' }), 'routes[0].public', /true or false/);
    });

    it('refuses unknown route keys with a hint', () => {
      expectProblem(withRoutes({ path: '/u/:id', methods: ['GET'], owners: 'id' }), 'routes[0].owners', /did you mean "owner"/);
    });
  });

  describe('collisions', () => {
    it('refuses the same template with an overlapping method', () => {
      expectProblem(withRoutes(
        { path: '/a/:id', methods: ['GET', 'POST'] },
        { path: '/a/:id', methods: ['DELETE', 'POST'] },
      ), 'routes[1].methods', /POST on "\/a\/:id" is already routed by routes\[0\]/);
    });

    it('treats HEAD as implied by GET', () => {
      expectProblem(withRoutes({ path: '/a', methods: ['GET'] }, { path: '/a', methods: ['HEAD'] }), 'routes[1].methods', /HEAD/);
      expectProblem(withRoutes({ path: '/a', methods: ['HEAD'] }, { path: '/a', methods: ['GET'] }), 'routes[1].methods', /HEAD/);
    });

    it('refuses the same template twice even with disjoint methods: one route per path, its methods listed together', () => {
      expectProblem(withRoutes(
        { path: '/p/:user_id', methods: ['GET'], public: true },
        { path: '/p/:user_id', methods: ['PUT'], owner: 'user_id' },
      ), 'routes[1].path', /same paths as routes\[0\]/);
    });

    it('refuses templates that differ only in parameter names, whatever the methods', () => {
      expectProblem(withRoutes(
        { path: '/a/:x/b', methods: ['GET'] },
        { path: '/a/:y/b', methods: ['POST'] },
      ), 'routes[1].path', /matches the same requests as routes\[0\]\.path "\/a\/:x\/b"/);
    });

    it('allows a literal beside a parameter, and a trailing-slash twin', () => {
      expect(load(withRoutes(
        { path: '/a/:x', methods: ['GET'] },
        { path: '/a/me', methods: ['GET'] },
        { path: '/a/:x/', methods: ['GET'] },
      )).config.routes).toHaveLength(3);
    });

    it('reports every collision and still checks the other routes', () => {
      const problems = problemsOf(withRoutes(
        { path: '/a', methods: ['GET'] },
        { path: '/a', methods: ['GET'] },
        { path: '/a', methods: ['GET'] },
        { path: 'bad', methods: ['GET'] },
      ));
      expect(paths(problems)).toEqual(['routes[1].methods', 'routes[2].methods', 'routes[2].methods', 'routes[3].path']);
    });
  });
});
