// The admin API for revocations: fastify inject for the many body rules, a real socket for
// what a revocation does to real requests (cached tokens included).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ADMIN_TOKEN, adminCall, adminEnv, metricValue, readiness, revoke, withAdminToken } from '../support/admin-api.js';
import { hs256Config, startTestGateway, testEnv, type TestGateway } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';

let upstream: RecordingUpstream;
let gateway: TestGateway;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
  gateway = await startTestGateway(withAdminToken(hs256Config(upstream.url)), adminEnv);
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, options: { body?: string; headers?: Record<string, string>; token?: string | null } = {}) =>
  gateway.gateway.admin.inject({
    method,
    url,
    headers: { ...(options.token === null ? {} : { authorization: `Bearer ${options.token ?? ADMIN_TOKEN}` }), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.body !== undefined ? { payload: options.body } : {}),
  });

async function tasks(subject: string, token: string) {
  const res = await request(`${gateway.url}/api/${subject}/tasks`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.body.text();
  return { status: res.statusCode, reason: res.statusCode === 200 ? undefined : (JSON.parse(text) as { reason: string }).reason, wwwAuthenticate: res.headers['www-authenticate'] };
}

describe('admin API authentication', () => {
  it.each([
    ['no Authorization', { token: null }],
    ['a wrong token', { token: `${ADMIN_TOKEN.slice(0, -1)}x` }],
    ['a prefix of the token', { token: ADMIN_TOKEN.slice(0, 20) }],
    ['another scheme', { token: null, headers: { authorization: `Basic ${ADMIN_TOKEN}` } }],
    ['the token twice in one header', { token: null, headers: { authorization: `Bearer ${ADMIN_TOKEN} ${ADMIN_TOKEN}` } }],
  ])('refuses %s with 401 JSON, before reading the body', async (_name, options) => {
    for (const [method, url] of [['POST', '/revocations'], ['GET', '/revocations'], ['DELETE', '/revocations/00000000-0000-4000-8000-000000000000']] as const) {
      const res = await inject(method, url, { ...options, body: method === 'POST' ? '{"not json' : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="gateway-admin"');
      expect(res.body).not.toContain(ADMIN_TOKEN);
    }
  });

  it('refuses two Authorization headers on a real socket, even when one is right', async () => {
    const res = await request(`${gateway.adminUrl}/revocations`, { headers: [['authorization', `Bearer ${ADMIN_TOKEN}`], ['authorization', 'Bearer nope']].flat() });
    expect(res.statusCode).toBe(401);
    await res.body.dump();
  });

  it('is never served on the public port: /revocations there is an unrouted path, never forwarded', async () => {
    upstream.reset();
    for (const method of ['GET', 'POST'] as const) {
      const res = await request(`${gateway.url}/revocations`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{"sub":"alice"}' } : {}) });
      expect(res.statusCode).toBe(404);
      expect(((await res.body.json()) as { reason: string }).reason).toBe('no_route');
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('is off (404) without admin.token, while probes and metrics still answer', async () => {
    const plain = await startTestGateway(hs256Config(upstream.url), testEnv);
    try {
      for (const method of ['GET', 'POST'] as const) {
        expect((await adminCall(plain.adminUrl, method, '/revocations', method === 'POST' ? { sub: 'alice' } : undefined)).status).toBe(404);
      }
      expect((await adminCall(plain.adminUrl, 'DELETE', '/revocations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await readiness(plain.adminUrl)).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});

describe('POST /revocations bodies', () => {
  it.each([
    ['{}', '(body)', /exactly one of/],
    ['[]', '(body)', /JSON object/],
    ['"alice"', '(body)', /JSON object/],
    ['{"sub":"alice","jti":"t"}', 'jti', /only one of/],
    ['{"sub":"alice","user":"x"}', 'user', /unknown key/],
    ['{"sub":42}', 'sub', /must be a string/],
    ['{"jti":""}', 'jti', /must not be empty/],
    [JSON.stringify({ sid: 'x'.repeat(256) }), 'sid', /at most 255 bytes/],
    [JSON.stringify({ jti: 'é'.repeat(128) }), 'jti', /at most 255 bytes/],
    ['{"sub":"alice/bob"}', 'sub', /not a subject the gateway accepts/],
    ['{"sub":"alice","before":"yesterday"}', 'before', /ISO-8601/],
    ['{"sub":"alice","before":"2026-02-30T00:00:00Z"}', 'before', /ISO-8601/],
    ['{"sub":"alice","before":"2026-01-01"}', 'before', /ISO-8601/],
    ['{"sub":"alice","before":"2026-01-01T24:00:00Z"}', 'before', /ISO-8601/],
    ['{"sub":"alice","before":1767225600}', 'before', /ISO-8601/],
    ['{"sub":"alice","before":"2999-01-01T00:00:00Z"}', 'before', /future/],
    ['{"jti":"t","before":"2026-01-01T00:00:00Z"}', 'before', /only goes with "sub"/],
    ['{"sub": "alice"', '(body)', /not valid JSON/],
    ['{"__proto__": {"sub": "x"}}', '(body)', /./],
  ])('%s → 400 naming %s', async (body, key, message) => {
    const res = await inject('POST', '/revocations', { body });
    expect(res.statusCode).toBe(400);
    const json = res.json();
    expect(json).toMatchObject({ error: 'bad_request', key });
    expect(json.message).toMatch(message);
  });

  it('bounds the body (413) and wants JSON (415)', async () => {
    const big = await inject('POST', '/revocations', { body: JSON.stringify({ sub: 'alice', pad: 'x'.repeat(20_000) }) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: 'payload_too_large' });
    const text = await inject('POST', '/revocations', { body: 'sub=alice', headers: { 'content-type': 'text/plain' } });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  it('stores a valid entry: 201 with the entry and its Location; before is kept as given (normalised to UTC)', async () => {
    const res = await inject('POST', '/revocations', { body: '{"sub":"carol","before":"2026-01-01T01:00:00.5+01:00"}' });
    expect(res.statusCode).toBe(201);
    const entry = res.json();
    expect(entry).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), sub: 'carol', before: '2026-01-01T00:00:00.500Z', created_at: expect.any(String), expires_at: expect.any(String) });
    expect(res.headers['location']).toBe(`/revocations/${entry.id}`);
    // revocation.retention defaults to 7 days.
    expect(Date.parse(entry.expires_at) - Date.parse(entry.created_at)).toBe(7 * 24 * 3600_000);
    expect((await inject('DELETE', `/revocations/${entry.id}`)).statusCode).toBe(204);
  });
});

describe('revocations against real requests (real socket)', () => {
  it('a sub entry refuses the subject\'s cached token with 401 token_revoked; the upstream never sees it; DELETE lets it back', async () => {
    const token = await hs256Token('alice', { iat: Math.floor(Date.now() / 1000) - 10 });
    expect((await tasks('alice', token)).status).toBe(200); // verified and now cached
    expect((await tasks('alice', token)).status).toBe(200); // a cache hit
    const bobToken = await hs256Token('bob');
    upstream.reset();

    const entry = await revoke(gateway.adminUrl, { sub: 'alice' });
    expect(entry.before).toBe(entry.created_at);
    const refused = await tasks('alice', token);
    expect(refused).toEqual({ status: 401, reason: 'token_revoked', wwwAuthenticate: expect.stringContaining('error="invalid_token"') });
    // Revoked comes before the owner rule: on another user's path it is still 401, not 403.
    expect((await tasks('bob', token)).reason).toBe('token_revoked');
    expect(upstream.requests).toHaveLength(0);
    expect((await tasks('bob', bobToken)).status).toBe(200);
    // A token issued after the cut-off (a new sign-in) works.
    expect((await tasks('alice', await hs256Token('alice', { iat: Math.floor(Date.parse(entry.before!) / 1000) + 1 }))).status).toBe(200);

    const list = await adminCall(gateway.adminUrl, 'GET', '/revocations');
    expect(list.status).toBe(200);
    expect(list.body.revocations).toContainEqual(entry);

    expect((await adminCall(gateway.adminUrl, 'DELETE', `/revocations/${entry.id}`)).status).toBe(204);
    expect((await adminCall(gateway.adminUrl, 'DELETE', `/revocations/${entry.id}`)).status).toBe(404);
    expect((await adminCall(gateway.adminUrl, 'DELETE', '/revocations/not-an-id')).status).toBe(404);
    expect((await tasks('alice', token)).status).toBe(200);
  });

  it('a jti entry refuses that token only; a sid entry every token of the session', async () => {
    const one = await hs256Token('dave', { jti: 'jti-1', sid: 'session-a' });
    const two = await hs256Token('dave', { jti: 'jti-2', sid: 'session-a' });
    const other = await hs256Token('dave', { jti: 'jti-3', sid: 'session-b' });
    for (const token of [one, two, other]) expect((await tasks('dave', token)).status).toBe(200);

    const byJti = await revoke(gateway.adminUrl, { jti: 'jti-1' });
    expect((await tasks('dave', one)).reason).toBe('token_revoked');
    expect((await tasks('dave', two)).status).toBe(200);

    const bySid = await revoke(gateway.adminUrl, { sid: 'session-a' });
    expect((await tasks('dave', two)).reason).toBe('token_revoked');
    expect((await tasks('dave', other)).status).toBe(200);
    for (const { id } of [byJti, bySid]) expect((await adminCall(gateway.adminUrl, 'DELETE', `/revocations/${id}`)).status).toBe(204);
  });

  it('shows in metrics and readiness, and never logs the admin token', async () => {
    const entry = await revoke(gateway.adminUrl, { sub: 'erin' });
    expect(await metricValue(gateway.adminUrl, 'gateway_store_up')).toBe(1);
    expect(await metricValue(gateway.adminUrl, 'gateway_revocations')).toBeGreaterThanOrEqual(1);
    expect(await metricValue(gateway.adminUrl, 'gateway_auth_denials_total{reason="token_revoked"}')).toBeGreaterThanOrEqual(1);
    const ready = await readiness(gateway.adminUrl);
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ keys: true, upstream: true, upstream_capacity: true, revocations: true, store: true });
    expect((await request(`${gateway.adminUrl}/readyz?exclude=bogus`)).statusCode).toBe(400);
    await adminCall(gateway.adminUrl, 'DELETE', `/revocations/${entry.id}`);
    expect(gateway.logs.some((line) => line['msg'] === 'revocation added' && line['sub'] === 'erin')).toBe(true);
    expect(gateway.logText()).not.toContain(ADMIN_TOKEN);
  });
});
