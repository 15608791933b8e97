// docs/threats.md family 9 — errors and CORS, over real sockets: RFC 6750 challenges, error bodies
// that echo neither the token nor an internal address, CORS preflights answered by the gateway
// alone, ACAO on every answer to an allowed origin, and the upstream's own response headers
// (Access-Control-*, Location, hop-by-hop) never reaching the client as the upstream sent them.
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw } from '../support/raw-http.js';
import { refusingUpstreamUrl, useGateway, useUpstream, withGateway } from '../support/suite.js';
import { call, expectDenial, hostOf, type Reply } from '../support/threat-kit.js';

const ORIGIN = 'http://localhost:3000';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const alice = await hs256Token('alice', { email: 'alice@example.com' });
const expired = await hs256Token('alice', { iat: 1, exp: Math.floor(Date.now() / 1000) - 3_600 });

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('401 challenges (RFC 6750 §3)', () => {
  it('no credential: WWW-Authenticate: Bearer realm="gateway", without an error attribute', async () => {
    for (const headers of [{}, { authorization: 'Basic YTpi' }] as Array<Record<string, string>>) {
      const reply = await call(gateway.url, { path: '/api/alice/tasks', headers });
      expectDenial(reply, 401, 'missing_token');
      expect(reply.headers['www-authenticate']).toBe('Bearer realm="gateway"');
    }
  });

  it('a token that was presented but is bad: error="invalid_token" with a description', async () => {
    const reply = await call(gateway.url, { path: '/api/alice/tasks', headers: bearer('aaaa.bbbb.cccc') });
    expectDenial(reply, 401, 'invalid_token');
    expect(reply.headers['www-authenticate']).toMatch(/^Bearer realm="gateway", error="invalid_token", error_description="[^"\r\n]+"$/);
  });

  it('an expired token: 401 token_expired, error="invalid_token" (RFC 6750 has no separate code)', async () => {
    const reply = await call(gateway.url, { path: '/api/alice/tasks', headers: bearer(expired) });
    expectDenial(reply, 401, 'token_expired');
    expect(reply.headers['www-authenticate']).toMatch(/^Bearer realm="gateway", error="invalid_token"/);
  });

  it('403, 404, 405 and 400 carry no challenge', async () => {
    const replies = await Promise.all([
      call(gateway.url, { path: '/api/bob/tasks', headers: bearer(alice) }),
      call(gateway.url, { path: '/nowhere', headers: bearer(alice) }),
      call(gateway.url, { method: 'DELETE', path: '/api/alice/tasks', headers: bearer(alice) }),
      call(gateway.url, { path: '/api/alice/../bob/tasks', headers: bearer(alice) }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([403, 404, 405, 400]);
    for (const reply of replies) expect(reply.headers['www-authenticate']).toBeUndefined();
    expectDenial(replies[2]!, 405, 'method_not_allowed');
    expect(replies[2]!.headers['allow']).toBe('GET, HEAD, POST');
    expect(upstream.requests).toEqual([]);
  });
});

describe('error bodies echo no token', () => {
  it('in no status, body or header, whatever the denial', async () => {
    const [h, p, s] = alice.split('.') as [string, string, string];
    const forged = `${h}.${p}.${s.slice(0, -4)}AAAA`;
    const replies: Reply[] = await Promise.all([
      call(gateway.url, { path: '/api/alice/tasks', headers: bearer(forged) }),
      call(gateway.url, { path: '/api/alice/tasks', headers: bearer(`${forged}.${p}`) }),
      call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}, Bearer ${forged}` } }),
      call(gateway.url, { path: `/api/alice/tasks?access_token=${alice}`, headers: bearer(alice) }),
      call(gateway.url, { path: `/api/alice/tasks?access_token=${alice}` }),
      call(gateway.url, { path: '/api/bob/tasks', headers: bearer(alice) }),
      call(gateway.url, { path: `/api/${p.slice(0, 40)}/../tasks`, headers: bearer(alice) }),
      call(gateway.url, { path: '/api/alice/tasks', headers: bearer(expired) }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([401, 401, 400, 400, 401, 403, 400, 401]);
    const expiredSignature = expired.split('.')[2]!;
    for (const reply of replies) {
      const everything = reply.text + JSON.stringify(reply.headers);
      for (const part of [p, s, s.slice(0, -4), expiredSignature]) expect(everything).not.toContain(part);
      expect(Object.keys(JSON.parse(reply.text) as object).sort()).toEqual(['error', 'message', 'reason', 'request_id']);
    }
    expect(upstream.requests).toEqual([]);
  });
});

describe('CORS preflights are answered by the gateway, without a token, never forwarded', () => {
  function preflight(path: string, origin: string, method = 'POST'): Promise<Reply> {
    return call(gateway.url, {
      method: 'OPTIONS',
      path,
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
    });
  }

  it('from the allowed origin → 204 with the route\'s methods and the allowed headers', async () => {
    const reply = await preflight('/api/alice/tasks', ORIGIN);
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe(ORIGIN);
    const methods = String(reply.headers['access-control-allow-methods']).split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(methods).not.toContain('DELETE');
    expect(reply.headers['access-control-allow-headers']).toBe('authorization, content-type, x-request-id');
    expect(String(reply.headers['vary'])).toContain('Origin');
    expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
    expect(upstream.requests).toEqual([]);
  });

  it('for another user\'s path too (the preflight carries no identity), with that route\'s methods', async () => {
    const reply = await preflight('/api/bob/tasks/1/complete', ORIGIN, 'PATCH');
    expect(reply.status).toBe(204);
    const methods = String(reply.headers['access-control-allow-methods']).split(/,\s*/);
    expect(methods).toContain('PATCH');
    expect(methods).not.toContain('GET');
    expect(upstream.requests).toEqual([]);
  });

  for (const origin of ['http://evil.example', 'null', 'http://localhost:3000.evil.example', 'http://localhost:3001', 'https://localhost:3000', `${ORIGIN}, http://evil.example`]) {
    it(`from ${origin} → 204 without any CORS header`, async () => {
      const reply = await preflight('/api/alice/tasks', origin);
      expect(reply.status).toBe(204);
      expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      expect(upstream.requests).toEqual([]);
    });
  }

  it('for an unknown path → 404, for an ambiguous one → 400, neither forwarded', async () => {
    const unknown = await preflight('/admin', ORIGIN);
    expectDenial(unknown, 404, 'no_route');
    const ambiguous = await preflight('/api/alice/%2e%2e/bob/tasks', ORIGIN);
    expectDenial(ambiguous, 400, 'ambiguous_path');
    expect(upstream.requests).toEqual([]);
  });

  it('a plain OPTIONS (no Access-Control-Request-Method) is not a preflight: 405 on the task routes', async () => {
    const reply = await call(gateway.url, { method: 'OPTIONS', path: '/api/alice/tasks', headers: { origin: ORIGIN } });
    expectDenial(reply, 405, 'method_not_allowed');
    expect(upstream.requests).toEqual([]);
  });
});

describe('every response to an allowed origin carries Access-Control-Allow-Origin, errors included', () => {
  const requests = () => [
    { name: '200 forwarded', status: 200, method: 'GET', path: '/api/alice/tasks', headers: bearer(alice) },
    { name: '401 missing', status: 401, method: 'GET', path: '/api/alice/tasks', headers: {} },
    { name: '401 expired', status: 401, method: 'GET', path: '/api/alice/tasks', headers: bearer(expired) },
    { name: '403', status: 403, method: 'GET', path: '/api/bob/tasks', headers: bearer(alice) },
    { name: '404', status: 404, method: 'GET', path: '/nowhere', headers: {} },
    { name: '405', status: 405, method: 'DELETE', path: '/api/alice/tasks', headers: {} },
    { name: '400 path', status: 400, method: 'GET', path: '/api//alice/tasks', headers: {} },
    { name: '400 credentials', status: 400, method: 'GET', path: '/api/alice/tasks?access_token=x', headers: bearer(alice) },
  ];

  it('allowed origin: ACAO is that origin, exposing the headers a client needs (x-request-id, www-authenticate)', async () => {
    for (const r of requests()) {
      const reply = await call(gateway.url, { method: r.method, path: r.path, headers: { ...r.headers, origin: ORIGIN } });
      expect(reply.status, r.name).toBe(r.status);
      expect(reply.headers['access-control-allow-origin'], r.name).toBe(ORIGIN);
      expect(String(reply.headers['access-control-expose-headers']), r.name).toContain('www-authenticate');
      expect(String(reply.headers['vary']), r.name).toContain('Origin');
    }
  });

  it('another origin: no ACAO on any of them', async () => {
    for (const r of requests()) {
      const reply = await call(gateway.url, { method: r.method, path: r.path, headers: { ...r.headers, origin: 'http://evil.example' } });
      expect(reply.status, r.name).toBe(r.status);
      expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-')), r.name).toEqual([]);
    }
  });

  it('a 413 carries ACAO too', async () => {
    const reply = await call(gateway.url, { method: 'POST', path: '/api/alice/tasks', headers: { ...bearer(alice), origin: ORIGIN }, body: 'x'.repeat(2 * 1024 * 1024) });
    expectDenial(reply, 413, 'body_too_large');
    expect(reply.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(upstream.requests).toEqual([]);
  });

  it('a 502 from a dead upstream carries ACAO too', async () => {
    const deadUrl = await refusingUpstreamUrl();
    await withGateway(hs256Config(deadUrl), async (gw) => {
      const reply = await call(gw.url, { path: '/api/alice/tasks', headers: { ...bearer(alice), origin: ORIGIN } });
      expectDenial(reply, 502, 'upstream_unreachable');
      expect(reply.headers['access-control-allow-origin']).toBe(ORIGIN);
    });
  });
});

describe('the order of checks (docs/contract.md): path → route → preflight → method → credentials → owner', () => {
  const cases = () => [
    { name: 'an ambiguous path on no route → 400, not 404', method: 'GET', path: '/nowhere/../x', headers: {}, status: 400, reason: 'ambiguous_path' },
    { name: 'no route, no token → 404, not 401', method: 'GET', path: '/nowhere', headers: {}, status: 404, reason: 'no_route' },
    { name: 'wrong method, no token → 405, not 401', method: 'PUT', path: '/api/bob/tasks', headers: {}, status: 405, reason: 'method_not_allowed' },
    { name: 'a bad token on another user\'s path → 401, not 403', method: 'GET', path: '/api/bob/tasks', headers: bearer('aaaa.bbbb.cccc'), status: 401, reason: 'invalid_token' },
    { name: 'an expired token on another user\'s path → 401 token_expired', method: 'GET', path: '/api/bob/tasks', headers: bearer(expired), status: 401, reason: 'token_expired' },
    { name: 'two credentials on another user\'s path → 400', method: 'GET', path: '/api/bob/tasks?access_token=x', headers: bearer(alice), status: 400, reason: 'multiple_credentials' },
    { name: 'a valid token on another user\'s path → 403', method: 'GET', path: '/api/bob/tasks', headers: bearer(alice), status: 403, reason: 'user_mismatch' },
  ];
  it('each refusal is the first that applies', async () => {
    for (const c of cases()) {
      const reply = await call(gateway.url, { method: c.method, path: c.path, headers: c.headers });
      expect(reply.status, c.name).toBe(c.status);
      expect((JSON.parse(reply.text) as { reason: string }).reason, c.name).toBe(c.reason);
    }
    expect(upstream.requests).toEqual([]);
  });
});

describe('the upstream\'s own response headers', () => {
  it('its Access-Control-* headers are replaced by the gateway\'s policy', async () => {
    upstream.respondWith((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, POST, PUT, DELETE, PATCH',
        'access-control-allow-headers': '*',
        'access-control-expose-headers': 'x-internal-secret',
        'access-control-max-age': '999999',
        vary: 'Accept-Encoding',
      });
      res.end('[]');
    });
    const allowed = await call(gateway.url, { path: '/api/alice/tasks', headers: { ...bearer(alice), origin: ORIGIN } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
    expect(allowed.headers['access-control-allow-methods']).toBeUndefined();
    expect(allowed.headers['access-control-allow-headers']).toBeUndefined();
    expect(allowed.headers['access-control-max-age']).toBeUndefined();
    expect(String(allowed.headers['access-control-expose-headers'])).not.toContain('x-internal-secret');
    expect(String(allowed.headers['vary'])).toMatch(/Accept-Encoding.*Origin/);

    const other = await call(gateway.url, { path: '/api/alice/tasks', headers: { ...bearer(alice), origin: 'http://evil.example' } });
    expect(other.status).toBe(200);
    expect(Object.keys(other.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const none = await call(gateway.url, { path: '/api/alice/tasks', headers: bearer(alice) });
    expect(Object.keys(none.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('a Location or Content-Location at the upstream\'s own origin is rewritten to the gateway\'s; others are left alone', async () => {
    const cases: Array<[string, string]> = [
      [`${upstream.origin}/api/alice/tasks/7`, `${gateway.url}/api/alice/tasks/7`],
      [`${upstream.origin}/api/alice/tasks/7?x=1#f`, `${gateway.url}/api/alice/tasks/7?x=1#f`],
      [upstream.origin, `${gateway.url}/`],
      [`${upstream.origin.toUpperCase()}/x`, `${gateway.url}/x`],
      // Scheme-relative: resolved against the upstream's own http URL, it names the upstream too.
      [`//${new URL(upstream.origin).host}/api/alice/tasks/7`, `${gateway.url}/api/alice/tasks/7`],
      [`//${new URL(upstream.origin).host}0/x`, `//${new URL(upstream.origin).host}0/x`],
      ['/api/alice/tasks/7', '/api/alice/tasks/7'],
      ['https://elsewhere.example/x', 'https://elsewhere.example/x'],
      [`${upstream.origin}0/x`, `${upstream.origin}0/x`],
    ];
    for (const [sent, expected] of cases) {
      upstream.respondWith((_req, res) => {
        res.writeHead(201, { location: sent, 'content-location': sent, 'content-type': 'application/json' });
        res.end('{}');
      });
      const reply = await call(gateway.url, { method: 'POST', path: '/api/alice/tasks', headers: bearer(alice), body: '{"title":"x"}' });
      expect(reply.status).toBe(201);
      expect(reply.headers['location'], sent).toBe(expected);
      expect(reply.headers['content-location'], sent).toBe(expected);
    }
  });

  it('hop-by-hop headers, and those the upstream names in Connection, are dropped; its x-request-id is replaced', async () => {
    upstream.respondWith((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('connection', 'x-internal-hop, keep-alive');
      res.setHeader('x-internal-hop', 'secret');
      res.setHeader('keep-alive', 'timeout=999, max=7');
      res.setHeader('proxy-connection', 'keep-alive');
      res.setHeader('proxy-authenticate', 'Basic realm="internal"');
      res.setHeader('trailer', 'x-checksum');
      res.setHeader('x-request-id', 'upstream-chosen');
      res.setHeader('x-kept', 'yes');
      res.end('[]');
    });
    const reply = await sendRaw(
      gateway.url,
      [`GET /api/alice/tasks HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, 'X-Request-Id: client-chosen', 'Connection: close'].join('\r\n') + '\r\n\r\n',
    );
    expect(reply.status).toBe(200);
    expect(reply.headers['x-kept']).toBe('yes');
    for (const name of ['x-internal-hop', 'proxy-connection', 'proxy-authenticate', 'trailer']) expect(reply.headers[name], name).toBeUndefined();
    expect(reply.headers['keep-alive'] ?? '').not.toContain('999');
    expect(reply.headers['connection'] ?? '').not.toContain('x-internal-hop');
    expect(reply.headers['x-request-id']).toBe('client-chosen');
    expect(reply.body).toContain('[]'); // (chunked on the wire: sendRaw does not decode it)
  });
});
