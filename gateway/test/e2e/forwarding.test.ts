import { describe, expect, it } from 'vitest';
import { Client, request } from 'undici';
import { hs256Config, startTestGateway, testEnv } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { refusingUpstreamUrl, useGateway, useUpstream, withGateway } from '../support/suite.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const aliceToken = await hs256Token('alice', { email: 'alice@example.com' });

const auth = () => ({ authorization: `Bearer ${aliceToken}` });

describe('an accepted request', () => {
  it('reaches the upstream once with the same method, path and query bytes, and identity headers', async () => {
    // A Client sends `path` verbatim; undici's top-level request() would re-encode the quote itself.
    const client = new Client(gateway.url);
    const res = await client.request({ method: 'GET', path: "/api/alice/tasks?status=open&x=%2F'a'", headers: { ...auth(), 'x-request-id': 'client-id-1' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('client-id-1');
    await res.body.json();
    await client.close();
    expect(upstream.requests).toHaveLength(1);
    const seen = upstream.requests[0]!;
    expect(seen.method).toBe('GET');
    expect(seen.url).toBe("/api/alice/tasks?status=open&x=%2F'a'");
    expect(seen.headers['x-user-id']).toBe('alice');
    expect(seen.headers['x-user-email']).toBe('alice@example.com');
    expect(seen.headers['authorization']).toBe(`Bearer ${aliceToken}`);
    expect(seen.headers['x-request-id']).toBe('client-id-1');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe(new URL(gateway.url).host);
    expect(seen.headers['host']).toBe(new URL(upstream.url).host);
  });

  it('streams a request body to the upstream intact and answers with the upstream\'s status, headers and body', async () => {
    upstream.respondWith((req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes', location: `${upstream.origin}/api/alice/tasks/7` });
      res.end(JSON.stringify({ got: req.body.toString('utf8') }));
    });
    const payload = JSON.stringify({ title: 'buy milk', description: 'x'.repeat(100_000) });
    const res = await request(`${gateway.url}/api/alice/tasks`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: payload });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-upstream']).toBe('yes');
    // The upstream's own address never leaks: its Location is rewritten to the client's origin.
    expect(res.headers['location']).toBe(`${gateway.url}/api/alice/tasks/7`);
    expect(await res.body.json()).toEqual({ got: payload });
    expect(upstream.requests).toHaveLength(1);
  });

  it('streams a large response through with backpressure, byte for byte', async () => {
    const chunk = Buffer.alloc(64 * 1024);
    const chunks = 128; // 8 MiB: far past every socket and stream buffer on the way
    upstream.respondWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const pump = () => {
        while (sent < chunks) {
          chunk.fill(sent % 251);
          sent++;
          if (!res.write(Buffer.from(chunk))) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const res = await request(`${gateway.url}/api/alice/tasks`, { headers: auth() });
    expect(res.statusCode).toBe(200);
    const parts: Buffer[] = [];
    for await (const part of res.body as AsyncIterable<Buffer>) parts.push(part);
    const all = Buffer.concat(parts);
    expect(all.length).toBe(chunk.length * chunks);
    for (let i = 0; i < chunks; i++) {
      const slice = all.subarray(i * chunk.length, (i + 1) * chunk.length);
      expect(slice.equals(Buffer.alloc(chunk.length, i % 251)), `chunk ${i}`).toBe(true);
    }
  });

  it('streams a chunked request body of unknown length to the upstream intact', async () => {
    upstream.respondWith((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${req.body.length}:${req.headers['transfer-encoding'] ?? ''}`);
    });
    async function* body() {
      for (let i = 0; i < 16; i++) yield Buffer.alloc(32 * 1024, i);
    }
    const res = await request(`${gateway.url}/api/alice/tasks`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/octet-stream' }, body: body() });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe(`${16 * 32 * 1024}:chunked`);
    const seen = upstream.requests[0]!.body;
    for (let i = 0; i < 16; i++) expect(seen[i * 32 * 1024]).toBe(i);
  });

  it('generates a request id when the client\'s is unusable and returns it', async () => {
    const res = await request(`${gateway.url}/api/alice/tasks`, { headers: { ...auth(), 'x-request-id': 'bad id with spaces' } });
    await res.body.dump();
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    expect(id).not.toBe('bad id with spaces');
    expect(upstream.requests[0]!.headers['x-request-id']).toBe(id);
  });

  it('answers HEAD wherever GET is allowed', async () => {
    const res = await request(`${gateway.url}/api/alice/tasks`, { method: 'HEAD', headers: auth() });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(upstream.requests[0]!.method).toBe('HEAD');
  });

  it('passes a public route through without a token and without identity headers', async () => {
    const res = await request(`${gateway.url}/health?probe=1`, { headers: { 'x-user-id': 'mallory' } });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    const seen = upstream.requests[0]!;
    expect(seen.url).toBe('/health?probe=1');
    expect(seen.headers['x-user-id']).toBeUndefined();
  });
});

describe('denials', () => {
  it('refuses a missing token with 401 and a bare Bearer challenge, reaching nothing', async () => {
    const res = await request(`${gateway.url}/api/alice/tasks`);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="gateway"');
    const body = (await res.body.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'unauthorized', reason: 'missing_token' });
    expect(body['request_id']).toBe(res.headers['x-request-id']);
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses alice\'s token on bob\'s tasks with 403 user_mismatch', async () => {
    for (const [method, path] of [['GET', '/api/bob/tasks'], ['POST', '/api/bob/tasks'], ['PUT', '/api/bob/tasks/1'], ['DELETE', '/api/bob/tasks/1'], ['PATCH', '/api/bob/tasks/1/complete']] as const) {
      const res = await request(`${gateway.url}${path}`, { method, headers: auth() });
      expect(res.statusCode, `${method} ${path}`).toBe(403);
      expect(await res.body.json()).toMatchObject({ error: 'forbidden', reason: 'user_mismatch' });
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('answers 404 for unknown paths and 405 with Allow for the wrong method, before looking at credentials', async () => {
    const notFound = await request(`${gateway.url}/admin/secrets`, { headers: auth() });
    expect(notFound.statusCode).toBe(404);
    expect(await notFound.body.json()).toMatchObject({ error: 'not_found', reason: 'no_route' });
    const wrongMethod = await request(`${gateway.url}/api/alice/tasks`, { method: 'DELETE' });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers['allow']).toContain('GET');
    expect(wrongMethod.headers['allow']).toContain('POST');
    await wrongMethod.body.dump();
    expect(upstream.requests).toHaveLength(0);
  });

  it('never writes the token into its logs', async () => {
    const res = await request(`${gateway.url}/api/bob/tasks`, { headers: auth() });
    await res.body.dump();
    const line = gateway.logs.find((l) => l['msg'] === 'request' && l['request_id'] === res.headers['x-request-id']);
    expect(line).toMatchObject({ method: 'GET', route: '/api/:user_id/tasks', status: 403, subject: 'alice', reason: 'user_mismatch' });
    expect(gateway.logText()).not.toContain(aliceToken.split('.')[2]!);
  });
});

describe('upstream failures', () => {
  it('answers 502 bad_gateway without the upstream address when the upstream refuses connections', async () => {
    const deadUrl = await refusingUpstreamUrl();
    await withGateway(hs256Config(deadUrl), async (gw) => {
      const res = await request(`${gw.url}/api/alice/tasks`, { headers: auth() });
      expect(res.statusCode).toBe(502);
      const text = await res.body.text();
      expect(JSON.parse(text)).toMatchObject({ error: 'bad_gateway', reason: 'upstream_unreachable' });
      expect(text).not.toContain(new URL(deadUrl).port);
    });
  });

  it('answers 504 gateway_timeout when the upstream does not answer within upstream.timeout', async () => {
    let release: () => void = () => {};
    upstream.respondWith((_req, res) => new Promise<void>((resolve) => { release = () => { res.end('late'); resolve(); }; }));
    const gw = await startTestGateway(hs256Config(upstream.url).replace('timeout: 2s', 'timeout: 200ms'), testEnv);
    try {
      const res = await request(`${gw.url}/api/alice/tasks`, { headers: auth() });
      expect(res.statusCode).toBe(504);
      expect(await res.body.json()).toMatchObject({ error: 'gateway_timeout', reason: 'upstream_timeout' });
      expect(upstream.requests).toHaveLength(1);
    } finally {
      release();
      await gw.close();
    }
  });
});
