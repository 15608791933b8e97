import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../src/pipeline/route/index.js';
import { ALLOW_HEADERS, createCorsPolicy, EXPOSE_HEADERS, normaliseOrigin } from '../../../src/pipeline/cors/index.js';

const table = compileRoutes([
  { path: '/api/:user_id/tasks', methods: ['GET', 'POST'], owner: 'user_id', public: false },
  { path: '/api/:user_id/tasks/:id/complete', methods: ['PATCH'], owner: 'user_id', public: false },
]);
const tasks = table.routes[0]!;
const complete = table.routes[1]!;

const policy = createCorsPolicy({
  origins: ['http://localhost:3000', 'HTTPS://App.Example.com', 'https://api.example.com:443', 'http://[::1]:3000'],
  maxAgeSeconds: 600,
});

describe('createCorsPolicy: which origins are allowed (THREATS family 9)', () => {
  const allowed: Array<[origin: string, echoed: string]> = [
    ['http://localhost:3000', 'http://localhost:3000'],
    // Configured with upper case and a trailing slash: normalised to the serialised origin.
    ['https://app.example.com', 'https://app.example.com'],
    // A default port in the config is dropped, as browsers do.
    ['https://api.example.com', 'https://api.example.com'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    // Non-browser clients may shout; an all-ASCII Origin is compared lower-cased.
    ['HTTP://LOCALHOST:3000', 'http://localhost:3000'],
  ];
  it.each(allowed)('%s is allowed', (origin, echoed) => {
    expect(policy.responseHeaders(origin)).toEqual({
      'access-control-allow-origin': echoed,
      'access-control-expose-headers': EXPOSE_HEADERS,
      vary: 'Origin',
    });
  });

  const refused: Array<[what: string, origin: string | undefined]> = [
    ['no Origin header', undefined],
    ['empty', ''],
    ['null', 'null'],
    ['another origin', 'https://evil.example'],
    ['another port', 'http://localhost:3001'],
    ['default port spelled out', 'http://localhost:3000:80'],
    ['another scheme', 'https://localhost:3000'],
    ['trailing slash', 'http://localhost:3000/'],
    ['a path', 'http://localhost:3000/app'],
    ['a suffix domain', 'http://localhost:3000.evil.example'],
    ['a prefix', 'xhttp://localhost:3000'],
    ['a subdomain', 'https://evil.app.example.com'],
    ['a parent domain', 'https://example.com'],
    ['a list (two Origin headers joined by Node)', 'http://localhost:3000, https://evil.example'],
    ['a list of the same origin', 'http://localhost:3000, http://localhost:3000'],
    ['a list without space', 'http://localhost:3000,http://localhost:3000'],
    ['surrounding space', ' http://localhost:3000'],
    ['CR/LF', 'http://localhost:3000\r\nx: y'],
    ['NUL', 'http://localhost:3000\u0000'],
    ['latin1', 'http://localhost:3000\u00ff'],
    ['credentials', 'http://user@localhost:3000'],
    ['wildcard', '*'],
  ];
  it.each(refused)('%s gets no CORS headers, only Vary', (_what, origin) => {
    expect(policy.responseHeaders(origin)).toEqual({ vary: 'Origin' });
    expect(policy.preflightHeaders(origin, tasks)).toEqual({ vary: 'Origin' });
  });

  it('never sends Access-Control-Allow-Credentials', () => {
    for (const headers of [policy.responseHeaders('http://localhost:3000'), policy.preflightHeaders('http://localhost:3000', tasks)]) {
      expect(Object.keys(headers).some((k) => k.toLowerCase() === 'access-control-allow-credentials')).toBe(false);
    }
  });
});

describe('createCorsPolicy: preflights', () => {
  it('answers an allowed origin with the route methods, fixed headers and max age', () => {
    expect(policy.preflightHeaders('http://localhost:3000', tasks)).toEqual({
      'access-control-allow-origin': 'http://localhost:3000',
      'access-control-allow-methods': 'GET, HEAD, POST',
      'access-control-allow-headers': ALLOW_HEADERS,
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(ALLOW_HEADERS).toBe('authorization, content-type, x-request-id');
    expect(policy.preflightHeaders('https://app.example.com', complete)).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'PATCH',
    });
  });

  it('builds each header set once and freezes it', () => {
    const a = policy.preflightHeaders('http://localhost:3000', tasks);
    expect(policy.preflightHeaders('http://localhost:3000', tasks)).toBe(a);
    expect(policy.preflightHeaders('HTTP://localhost:3000', tasks)).toBe(a);
    expect(policy.preflightHeaders('https://app.example.com', tasks)).not.toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    const r = policy.responseHeaders('http://localhost:3000');
    expect(policy.responseHeaders('http://localhost:3000')).toBe(r);
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(policy.responseHeaders('https://evil.example'))).toBe(true);
  });

  const preflight: Array<[method: string, headers: Record<string, string>, expected: boolean]> = [
    ['OPTIONS', { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' }, true],
    ['OPTIONS', { 'access-control-request-method': 'GET' }, true],
    ['OPTIONS', { 'access-control-request-method': '' }, true],
    ['OPTIONS', { origin: 'http://localhost:3000' }, false],
    ['OPTIONS', {}, false],
    ['options', { 'access-control-request-method': 'POST' }, false],
    ['GET', { 'access-control-request-method': 'POST' }, false],
    ['POST', { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' }, false],
  ];
  it.each(preflight)('isPreflight(%s, %j) → %s', (method, headers, expected) => {
    expect(policy.isPreflight(method, headers)).toBe(expected);
  });
});

describe('createCorsPolicy: config', () => {
  it('allows nothing with an empty list', () => {
    const none = createCorsPolicy({ origins: [], maxAgeSeconds: 0 });
    expect(none.responseHeaders('http://localhost:3000')).toEqual({ vary: 'Origin' });
  });

  const bad: Array<[entry: string, problem: RegExp]> = [
    ['*', /"\*" is refused/],
    ['null', /"null" is refused/],
    ['localhost:3000', /http or https/],
    ['not a url', /absolute http/],
    ['ftp://example.com', /http or https/],
    ['http://localhost:3000/app', /no path, query or fragment/],
    ['http://localhost:3000?x', /no path, query or fragment/],
    ['http://localhost:3000/?', /no path, query or fragment/],
    ['http://localhost:3000#x', /no path, query or fragment/],
    ['http://user:pw@localhost:3000', /user name or password/],
    // The config refuses it too: browsers never send a trailing slash in Origin.
    ['http://LocalHost:3000/', /must not end with "\/"/],
  ];
  it.each(bad)('refuses %s', (entry, problem) => {
    expect(normaliseOrigin(entry)).toMatchObject({ ok: false, problem: expect.stringMatching(problem) });
    expect(() => createCorsPolicy({ origins: [entry], maxAgeSeconds: 600 })).toThrow(/cors\.origins/);
  });

  it.each([
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://LocalHost:3000', 'http://localhost:3000'],
    ['http://localhost:80', 'http://localhost'],
    ['https://example.com:443', 'https://example.com'],
    ['https://example.com:8443', 'https://example.com:8443'],
  ])('normalises %s to %s', (entry, origin) => {
    expect(normaliseOrigin(entry)).toEqual({ ok: true, origin });
  });
});
