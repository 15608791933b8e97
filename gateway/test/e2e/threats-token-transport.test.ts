// docs/threats.md family 1 — token transport, over real sockets: where the credential may come from
// (one `Authorization: Bearer` header, scheme in any case) and everything else that looks like one.
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { call, expectDenial, hostOf, rawRequest } from '../support/threat-kit.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
// Built at load time: the malformed variants below are derived from it when the suite is declared.
const token = await hs256Token('alice', { email: 'alice@example.com' });

const TASKS = '/api/alice/tasks';

describe('no Bearer credential → 401 missing_token, bare challenge, nothing forwarded', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: '' }],
    ['Basic credentials', { authorization: 'Basic YWxpY2U6cGFzcw==' }],
    ['a token with no scheme', { authorization: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln' }],
    ['the scheme misspelled', { authorization: 'Bearerr eyJhbGciOiJIUzI1NiJ9.e30.c2ln' }],
  ];
  for (const [name, headers] of cases) {
    it(name, async () => {
      const reply = await call(gateway.url, { path: TASKS, headers });
      expectDenial(reply, 401, 'missing_token');
      expect(reply.headers['www-authenticate']).toBe('Bearer realm="gateway"');
      expect(upstream.requests).toHaveLength(0);
    });
  }
});

describe('the scheme is case-insensitive', () => {
  for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
    it(`"${scheme}" with a valid token is forwarded once as alice`, async () => {
      const reply = await call(gateway.url, { path: TASKS, headers: { authorization: `${scheme} ${token}` } });
      expect(reply.status).toBe(200);
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0]!.headers['x-user-id']).toBe('alice');
    });
  }
});

describe('a token anywhere but the Authorization header is not a credential', () => {
  it('only in the query string → 401 missing_token, never forwarded', async () => {
    const reply = await call(gateway.url, { path: `${TASKS}?access_token=${token}` });
    expectDenial(reply, 401, 'missing_token');
    expect(reply.text).not.toContain(token);
    expect(upstream.requests).toHaveLength(0);
  });

  it('in the query string in another spelling (ACCESS_TOKEN, access%5Ftoken, access_token[]) → 401', async () => {
    for (const name of ['ACCESS_TOKEN', 'access%5Ftoken', 'access_token[]']) {
      const reply = await call(gateway.url, { path: `${TASKS}?${name}=${token}` });
      expectDenial(reply, 401, 'missing_token');
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('in the query string as well as the header → 400 multiple_credentials', async () => {
    const reply = await call(gateway.url, { path: `${TASKS}?access_token=${token}`, headers: { authorization: `Bearer ${token}` } });
    expectDenial(reply, 400, 'multiple_credentials');
    expect(upstream.requests).toHaveLength(0);
  });

  it('only in a cookie → 401 missing_token', async () => {
    const reply = await call(gateway.url, { path: TASKS, headers: { cookie: `access_token=${token}; token=${token}; authorization=Bearer%20${token}` } });
    expectDenial(reply, 401, 'missing_token');
    expect(upstream.requests).toHaveLength(0);
  });

  it('a cookie next to a valid header is passed on untouched', async () => {
    const cookie = 'session=abc; theme=dark';
    const reply = await call(gateway.url, { path: TASKS, headers: { authorization: `Bearer ${token}`, cookie } });
    expect(reply.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.headers['cookie']).toBe(cookie);
  });

  it('only in a JSON body → 401 missing_token', async () => {
    const reply = await call(gateway.url, {
      method: 'POST',
      path: TASKS,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: token, title: 'x' }),
    });
    expectDenial(reply, 401, 'missing_token');
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('two credentials → 400 multiple_credentials', () => {
  it('two Authorization headers, both carrying the same valid token', async () => {
    const reply = await sendRaw(
      gateway.url,
      rawRequest([`GET ${TASKS} HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${token}`, `Authorization: Bearer ${token}`, 'Connection: close']),
    );
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ error: 'bad_request', reason: 'multiple_credentials' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('a second Authorization header hidden behind a thousand filler headers', async () => {
    const filler = Array.from({ length: 1_100 }, (_, i) => `f${i % 10}: 1`);
    const reply = await sendRaw(
      gateway.url,
      rawRequest([`GET ${TASKS} HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${token}`, ...filler, `Authorization: Bearer ${token}`, 'Connection: close']),
    );
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ reason: 'multiple_credentials' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('two Authorization headers in different case, a Basic one first', async () => {
    const reply = await call(gateway.url, { path: TASKS, headers: ['authorization', 'Basic YTpi', 'AUTHORIZATION', `Bearer ${token}`] });
    expectDenial(reply, 400, 'multiple_credentials');
    expect(upstream.requests).toHaveLength(0);
  });

  it('two tokens in one header (comma or space separated)', async () => {
    for (const value of [`Bearer ${token}, Bearer ${token}`, `Bearer ${token} ${token}`]) {
      const reply = await call(gateway.url, { path: TASKS, headers: { authorization: value } });
      expectDenial(reply, 400, 'multiple_credentials');
    }
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('Bearer with an empty or malformed token → 401 invalid_token with the error attribute', () => {
  const parts = token.split('.');
  const cases: Array<[string, string]> = [
    ['no token', 'Bearer'],
    ['only spaces after the scheme', 'Bearer    '],
    ['2 parts', `Bearer ${parts[0]}.${parts[1]}`],
    ['4 parts', `Bearer ${token}.${parts[2]}`],
    ['5 parts (a JWE shape)', `Bearer ${parts[0]}.${parts[1]}.${parts[2]}.${parts[1]}.${parts[2]}`],
    ['an empty middle part', `Bearer ${parts[0]}..${parts[2]}`],
    ['characters outside base64url', `Bearer ${parts[0]}.${parts[1]}+/=.${parts[2]}`],
    ['a tab instead of a space after the scheme', `Bearer\t${token}`],
    ['garbage that is three parts but not JSON', 'Bearer aaaa.bbbb.cccc'],
    ['a 15 KiB token', `Bearer ${parts[0]}.${'A'.repeat(15 * 1024)}.${parts[2]}`],
  ];
  for (const [name, authorization] of cases) {
    it(name, async () => {
      const reply = await call(gateway.url, { path: TASKS, headers: { authorization } });
      expectDenial(reply, 401, 'invalid_token');
      expect(reply.headers['www-authenticate']).toMatch(/^Bearer realm="gateway", error="invalid_token"/);
      expect(reply.text).not.toContain(parts[1]!);
      expect(upstream.requests).toHaveLength(0);
    });
  }
});

it('a token too large for the header limit is refused by the HTTP parser (431), never forwarded', async () => {
  const reply = await call(gateway.url, { path: TASKS, headers: { authorization: `Bearer ${token.split('.')[0]}.${'A'.repeat(20 * 1024)}.x` } });
  expect(reply.status).toBe(431);
  expect(upstream.requests).toHaveLength(0);
});

describe('a public route ignores credentials', () => {
  it('forwards /health with a garbage token, without identity headers', async () => {
    const reply = await call(gateway.url, { path: '/health', headers: { authorization: 'Bearer aaaa.bbbb.cccc' } });
    expect(reply.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.headers['x-user-id']).toBeUndefined();
  });
});
