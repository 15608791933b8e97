// docs/threats.md family 8 — exhaustion and failure, over real sockets: oversized headers and bodies,
// slow clients (cut off by the configured time-outs, observed through the socket's close event),
// floods of bad tokens, and an upstream that is down, slow or dies mid-answer. Through all of it
// the gateway keeps serving and its /healthz stays 200.
import { once } from 'node:events';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { hs256Config, startTestGateway, testEnv, type TestGateway } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw, statusCodes } from '../support/raw-http.js';
import { refusingUpstreamUrl, useGateway, useUpstream, withGateway } from '../support/suite.js';
import { call, expectDenial, expectNoUpstreamAddress, hostOf } from '../support/threat-kit.js';

const HEADER_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 1_000;
const BODY_LIMIT = 1024;

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url, `limits: { body: 1kb, header_timeout: ${HEADER_TIMEOUT_MS}ms, request_timeout: ${REQUEST_TIMEOUT_MS}ms }`));
const alice = await hs256Token('alice');

const CRLF = '\r\n';

async function expectHealthy(gw: TestGateway): Promise<void> {
  const health = await call(gw.adminUrl, { path: '/healthz' });
  expect(health.status).toBe(200);
}

/** Opens a connection, writes `bytes`, and resolves with what came back and how long until the server closed it. */
async function writeAndAwaitClose(bytes: string): Promise<{ raw: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(gateway.url);
  const socket: Socket = connect({ host: hostname, port: Number(port) });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined); // a reset is also a close
  // A safety net far beyond any time-out under test, so a regression fails instead of hanging.
  socket.setTimeout(10_000, () => socket.destroy());
  await once(socket, 'connect');
  const started = performance.now();
  socket.write(bytes, 'latin1');
  await once(socket, 'close');
  return { raw: Buffer.concat(chunks).toString('latin1'), closedAfterMs: performance.now() - started };
}

describe('oversized requests', () => {
  it('one header of 20 KiB → 431, nothing forwarded, the gateway still serves', async () => {
    const reply = await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}`, 'x-big': 'a'.repeat(20 * 1024) } });
    expect(reply.status).toBe(431);
    expect(upstream.requests).toEqual([]);
    expect((await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` } })).status).toBe(200);
  });

  it('many small headers adding up past the limit → 431', async () => {
    const headers: string[] = ['authorization', `Bearer ${alice}`];
    for (let i = 0; i < 400; i++) headers.push(`x-h-${i}`, 'v'.repeat(40));
    const reply = await call(gateway.url, { path: '/api/alice/tasks', headers });
    expect(reply.status).toBe(431);
    expect(upstream.requests).toEqual([]);
  });

  it('a thousand filler headers cannot push the gateway\'s identity and forwarding headers past the upstream\'s header-count limit', async () => {
    // Node (gateway and upstream alike) keeps only the first ~1000 headers of a request.
    const filler = Array.from({ length: 1_100 }, (_, i) => `f${i % 10}: 1`);
    const reply = await sendRaw(
      gateway.url,
      [`GET /api/alice/tasks HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, ...filler, 'X-User-Id: bob', 'Connection: close'].join(CRLF) + CRLF + CRLF,
    );
    expect(reply.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    const seen = upstream.requests[0]!;
    expect(upstream.headerValues(seen, 'x-user-id')).toEqual(['alice']);
    expect(upstream.headerValues(seen, 'x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(upstream.headerValues(seen, 'x-request-id')).toEqual([reply.headers['x-request-id']]);
  });

  it('framing headers hidden behind a thousand filler headers still count: the body limit holds and a body within it is forwarded whole', async () => {
    const filler = Array.from({ length: 1_100 }, (_, i) => `f${i % 10}: 1`);
    const post = (framing: string, body: string) =>
      sendRaw(gateway.url, [`POST /api/alice/tasks HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, ...filler, framing, 'Connection: close'].join(CRLF) + CRLF + CRLF + body);
    const tooLarge = 'x'.repeat(BODY_LIMIT * 4);
    expect((await post(`Content-Length: ${tooLarge.length}`, tooLarge)).status).toBe(413);
    expect((await post('Transfer-Encoding: chunked', `${tooLarge.length.toString(16)}${CRLF}${tooLarge}${CRLF}0${CRLF}${CRLF}`)).status).toBe(413);
    expect(upstream.requests).toEqual([]);
    const fits = '{"title":"within the limit"}';
    expect((await post(`Content-Length: ${fits.length}`, fits)).status).toBe(200);
    expect(upstream.requests.map((r) => r.body.toString('utf8'))).toEqual([fits]);
  });

  it('a body over limits.body with Content-Length → 413 before anything is forwarded', async () => {
    const reply = await call(gateway.url, {
      method: 'POST',
      path: '/api/alice/tasks',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: 'x'.repeat(BODY_LIMIT + 1),
    });
    expectDenial(reply, 413, 'body_too_large');
    expect(upstream.requests).toEqual([]);
  });

  it('a chunked body that grows past limits.body → 413, the upstream never gets a complete request', async () => {
    const head = [`POST /api/alice/tasks HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close'].join(CRLF);
    const chunk = 'x'.repeat(300);
    const body = Array.from({ length: 5 }, () => `${chunk.length.toString(16)}${CRLF}${chunk}${CRLF}`).join('') + `0${CRLF}${CRLF}`;
    const reply = await sendRaw(gateway.url, `${head}${CRLF}${CRLF}${body}`);
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ error: 'payload_too_large', reason: 'body_too_large' });
    expect(upstream.requests).toEqual([]);
  });

  it('a body of exactly limits.body is forwarded whole, with Content-Length and chunked', async () => {
    const payload = 'y'.repeat(BODY_LIMIT);
    const withLength = await call(gateway.url, { method: 'POST', path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` }, body: payload });
    expect(withLength.status).toBe(200);
    const head = [`POST /api/alice/tasks HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, 'Transfer-Encoding: chunked', 'Connection: close'].join(CRLF);
    const chunked = await sendRaw(gateway.url, `${head}${CRLF}${CRLF}${(BODY_LIMIT / 2).toString(16)}${CRLF}${payload.slice(0, BODY_LIMIT / 2)}${CRLF}${(BODY_LIMIT / 2).toString(16)}${CRLF}${payload.slice(BODY_LIMIT / 2)}${CRLF}0${CRLF}${CRLF}`);
    expect(chunked.status).toBe(200);
    expect(upstream.requests.map((r) => r.body.toString('latin1'))).toEqual([payload, payload]);
  });
});

// Concurrent: each test mostly waits for a time-out; neither forwards anything.
describe.concurrent('slow clients', () => {
  it('headers never finished → the connection is closed after header_timeout, nothing forwarded', async () => {
    const { raw, closedAfterMs } = await writeAndAwaitClose(`GET /api/alice/tasks HTTP/1.1${CRLF}Host: ${hostOf(gateway.url)}${CRLF}Authorization: Bearer ${alice}${CRLF}`);
    // Not cut off early (the server's clock starts at accept, a little before our 'connect')…
    expect(closedAfterMs).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS / 2);
    // Node checks time-outs once a second: cut off within header_timeout plus one check (and some slack).
    expect(closedAfterMs).toBeLessThan(HEADER_TIMEOUT_MS + 2_000);
    expect(raw === '' || statusCodes(raw)[0] === 408).toBe(true);
    expect(upstream.requests).toEqual([]);
  });

  it('a body that never finishes → the connection is closed after request_timeout, the upstream never gets a complete request', async () => {
    const head = [`POST /api/alice/tasks HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, 'Content-Length: 100'].join(CRLF);
    const { closedAfterMs } = await writeAndAwaitClose(`${head}${CRLF}${CRLF}{"title":`);
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    expect(upstream.requests).toEqual([]);
    await expectHealthy(gateway);
  });
});

describe('clients that give up', () => {
  it('a client that disconnects mid-body: the upstream never gets a complete request, the gateway keeps serving', async () => {
    const { hostname, port } = new URL(gateway.url);
    const socket = connect({ host: hostname, port: Number(port) });
    await once(socket, 'connect');
    const head = [`POST /api/alice/tasks HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, 'Content-Length: 500'].join(CRLF);
    await new Promise<void>((resolve) => socket.write(`${head}${CRLF}${CRLF}{"title":"`, () => resolve()));
    socket.destroy();
    await once(socket, 'close');
    expect((await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` } })).status).toBe(200);
    // Only the request just made: the abandoned one never completed.
    expect(upstream.requests.map((r) => r.method)).toEqual(['GET']);
    await expectHealthy(gateway);
  });
});

describe('a flood of bad tokens', () => {
  it('500 bad tokens are all 401, none forwarded, and a good token is served right after', async () => {
    const wrongSecret = new TextEncoder().encode('another-secret-of-more-than-32-bytes-0123456789');
    const bad = await Promise.all(
      Array.from({ length: 500 }, (_, i) => {
        if (i % 3 === 0) return hs256Token(`user-${i}`, {}, wrongSecret); // a signature to check and reject
        if (i % 3 === 1) return hs256Token('alice', { exp: Math.floor(Date.now() / 1000) - 3_600, iat: 1 }); // expired
        return Promise.resolve(`eyJhbGciOiJIUzI1NiJ9.${Buffer.from(`{"sub":"${i}"}`).toString('base64url')}.AAAA`); // garbage
      }),
    );
    const pool = new Pool(gateway.url, { connections: 16 });
    try {
      const statuses = await Promise.all(
        bad.map(async (token) => {
          const res = await pool.request({ method: 'GET', path: '/api/alice/tasks', headers: { authorization: `Bearer ${token}` } });
          await res.body.dump();
          return res.statusCode;
        }),
      );
      expect(new Set(statuses)).toEqual(new Set([401]));
    } finally {
      await pool.close();
    }
    expect(upstream.requests).toEqual([]);
    const logs = gateway.logText();
    for (const token of bad) expect(logs).not.toContain(token.split('.')[2]!);
    const good = await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` } });
    expect(good.status).toBe(200);
    await expectHealthy(gateway);
  });
});

describe('upstream failures', () => {
  it('upstream down → 502 upstream_unreachable, no address in the body, /healthz still 200', async () => {
    const deadUrl = await refusingUpstreamUrl();
    await withGateway(hs256Config(deadUrl), async (gw) => {
      const reply = await call(gw.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` } });
      expectDenial(reply, 502, 'upstream_unreachable');
      expect(JSON.parse(reply.text)).toMatchObject({ error: 'bad_gateway' });
      expectNoUpstreamAddress(reply.text, deadUrl);
      expect(JSON.stringify(reply.headers)).not.toContain(`:${new URL(deadUrl).port}`);
      await expectHealthy(gw);
    });
  });

  describe('a slow upstream (upstream.timeout 300ms)', () => {
    const gw = useGateway(() => hs256Config(upstream.url).replace('timeout: 2s', 'timeout: 300ms'));
    const releases: Array<() => void> = [];
    afterAll(() => {
      for (const release of releases) release();
    });
    beforeEach(() => {
      upstream.respondWith((_req, res) => new Promise<void>((resolve) => releases.push(() => { res.end(); resolve(); })));
    });

    it('GET, POST and DELETE → 504 upstream_timeout within the time-out, each sent exactly once (no retry), /healthz 200', async () => {
      const methods = ['GET', 'POST', 'DELETE'] as const;
      await Promise.all(
        methods.map(async (method) => {
          const path = method === 'DELETE' ? '/api/alice/tasks/1' : '/api/alice/tasks';
          const started = performance.now();
          const reply = await call(gw.url, { method, path, headers: { authorization: `Bearer ${alice}` }, ...(method === 'POST' ? { body: '{"title":"x"}' } : {}) });
          const elapsed = performance.now() - started;
          expectDenial(reply, 504, 'upstream_timeout');
          expect(JSON.parse(reply.text)).toMatchObject({ error: 'gateway_timeout' });
          expectNoUpstreamAddress(reply.text, upstream.url);
          // undici checks its timers on a coarse tick (about half a second): allow for it.
          expect(elapsed, method).toBeLessThan(300 + 1_500);
        }),
      );
      expect(upstream.requests.map((r) => r.method).sort()).toEqual(['DELETE', 'GET', 'POST']);
      await expectHealthy(gw);
    });
  });

  it('an upstream that drops the connection before answering → 502, the request sent exactly once', async () => {
    upstream.respondWith((_req, res) => void res.socket?.destroy());
    for (const method of ['GET', 'PUT'] as const) {
      upstream.requests.length = 0;
      const reply = await call(gateway.url, { method, path: '/api/alice/tasks/1', headers: { authorization: `Bearer ${alice}` }, ...(method === 'PUT' ? { body: '{"title":"x"}' } : {}) });
      expectDenial(reply, 502, 'upstream_unreachable');
      expect(upstream.requests, method).toHaveLength(1);
    }
    await expectHealthy(gateway);
  });

  it('an upstream that dies mid-body → the client\'s response is cut off, not completed or hung', async () => {
    upstream.respondWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
      setImmediate(() => res.socket?.destroy());
    });
    const reply = await sendRaw(gateway.url, [`GET /api/alice/tasks HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, 'Connection: close'].join(CRLF) + CRLF + CRLF);
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBeLessThan(1000);
    expect(upstream.requests).toHaveLength(1);
    await expectHealthy(gateway);
  });
});

describe('a misbehaving upstream', () => {
  it('malformed answers become 502 (never passed on, never a crash); the gateway keeps serving', async () => {
    let answer = '';
    const server = createTcpServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(answer));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const gw = await startTestGateway(hs256Config(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), testEnv);
    try {
      const malformed: Record<string, string> = {
        'a control character in a header value': `HTTP/1.1 200 OK${CRLF}X-A: a\u0001b${CRLF}Content-Length: 2${CRLF}${CRLF}ok`,
        'two different Content-Lengths': `HTTP/1.1 200 OK${CRLF}Content-Length: 2${CRLF}Content-Length: 3${CRLF}${CRLF}ok`,
        'Content-Length with Transfer-Encoding': `HTTP/1.1 200 OK${CRLF}Content-Length: 2${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}2${CRLF}ok${CRLF}0${CRLF}${CRLF}`,
        'a status below 100': `HTTP/1.1 099 Odd${CRLF}Content-Length: 2${CRLF}${CRLF}ok`,
        'not HTTP at all': `hello there${CRLF}${CRLF}`,
        'nothing (closed at once)': '',
        'an unsolicited 101 upgrade': `HTTP/1.1 101 Switching Protocols${CRLF}Upgrade: websocket${CRLF}Connection: Upgrade${CRLF}${CRLF}`,
        'a space in a header name': `HTTP/1.1 200 OK${CRLF}X A: b${CRLF}Content-Length: 2${CRLF}${CRLF}ok`,
      };
      for (const [name, bytes] of Object.entries(malformed)) {
        answer = bytes;
        const reply = await call(gw.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` } });
        expectDenial(reply, 502, 'upstream_unreachable');
        expect(reply.text, name).not.toContain('ok');
      }
      answer = `HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}Content-Length: 2${CRLF}${CRLF}[]`;
      const good = await call(gw.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` } });
      expect(good.status).toBe(200);
      expect(good.text).toBe('[]');
      await expectHealthy(gw);
    } finally {
      await gw.close();
      server.close();
    }
  });
});
