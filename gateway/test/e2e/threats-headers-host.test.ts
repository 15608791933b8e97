// docs/threats.md family 6 (header spoofing). The Host header, over raw sockets: two of them, or one that is not `host[:port]`, is refused
// with 400 malformed_request before anything else (also on public routes and without a token),
// so its raw value never reaches the upstream in X-Forwarded-Host nor a rewritten Location.
import { describe, expect, it } from 'vitest';
import { hs256Config, type TestGateway } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { hostOf, rawRequest } from '../support/threat-kit.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const trusting = useGateway(() => hs256Config(upstream.url, 'trust_proxy: true'));
const alice = await hs256Token('alice');

/** A GET with the given Host lines (verbatim, latin1), answered on a closed connection. */
function withHosts(gw: TestGateway, hostLines: readonly string[], path = '/api/alice/tasks', extra: readonly string[] = []) {
  return sendRaw(gw.url, rawRequest([`GET ${path} HTTP/1.1`, ...hostLines, `Authorization: Bearer ${alice}`, ...extra, 'Connection: close']));
}

function expectMalformed(reply: { status: number; body: string; headers: Record<string, string> }): void {
  expect(reply.status, reply.body).toBe(400);
  expect(JSON.parse(reply.body)).toMatchObject({ error: 'bad_request', reason: 'malformed_request' });
  expect(reply.headers['x-request-id']).toBeTruthy();
  expect(upstream.requests).toEqual([]);
}

describe('two Host headers → 400 malformed_request', () => {
  it('different values', async () => {
    expectMalformed(await withHosts(gateway, [`Host: ${hostOf(gateway.url)}`, 'Host: evil.example']));
  });
  it('the same value twice', async () => {
    const host = hostOf(gateway.url);
    expectMalformed(await withHosts(gateway, [`Host: ${host}`, `host: ${host}`]));
  });
  it('on a public route too', async () => {
    expectMalformed(await withHosts(gateway, [`Host: ${hostOf(gateway.url)}`, 'Host: evil.example'], '/health'));
  });
});

describe('a Host that is not host[:port] → 400 malformed_request', () => {
  const bad = [
    '"><script>alert(1)</script>',
    'a@evil.example',
    'a, b',
    'app.example,evil.example',
    'caf\u00e9.example',
    '',
    ':8080',
    'app.example:',
    'app.example:65536',
    'app.example:123456',
    'app.example:80a',
    'app.example:-1',
    'app.example/path',
    'app.example?q',
    'app.example#x',
    'app.example\\evil',
    'a%2eb',
    "it's.example",
    '[::1',
    '[::1]x',
    '[not-an-address]',
    '[fe80::1%25eth0]',
    '::1',
    'a'.repeat(256),
  ];
  for (const value of bad) {
    it(JSON.stringify(value), async () => {
      expectMalformed(await withHosts(gateway, [`Host: ${value}`]));
    });
  }
});

describe('valid hosts pass, and X-Forwarded-Host carries them', () => {
  const good = ['app.example', 'APP.Example:8080', '127.0.0.1', '127.0.0.1:1', '[::1]', '[::1]:65535', 'under_score.example', 'a~b.example', 'localhost'];
  for (const value of good) {
    it(JSON.stringify(value), async () => {
      const reply = await withHosts(gateway, [`Host: ${value}`]);
      expect(reply.status, reply.body).toBe(200);
      expect(upstream.requests.map((r) => r.headers['x-forwarded-host'])).toEqual([value]);
    });
  }

  it('HTTP/1.0 without a Host is still served (no X-Forwarded-Host)', async () => {
    const reply = await sendRaw(gateway.url, rawRequest([`GET /api/alice/tasks HTTP/1.0`, `Authorization: Bearer ${alice}`]));
    expect(reply.status).toBe(200);
    expect(upstream.requests[0]!.headers['x-forwarded-host']).toBeUndefined();
  });
});

describe('a trusted proxy\'s X-Forwarded-Host is used only when it is a host[:port]', () => {
  it('an injection in X-Forwarded-Host falls back to the checked Host', async () => {
    for (const forwarded of ['"><script>', 'a@evil', 'a, b']) {
      upstream.reset();
      const host = hostOf(trusting.url);
      const reply = await withHosts(trusting, [`Host: ${host}`], '/api/alice/tasks', [`X-Forwarded-Host: ${forwarded}`]);
      expect(reply.status).toBe(200);
      expect(upstream.requests.map((r) => r.headers['x-forwarded-host'])).toEqual([host]);
    }
  });

  it('Location is rewritten to the checked Host, never the injected one', async () => {
    upstream.respondWith((_req, res) => {
      res.writeHead(302, { location: `${upstream.origin}/api/alice/tasks/1` });
      res.end();
    });
    const host = hostOf(trusting.url);
    const reply = await withHosts(trusting, [`Host: ${host}`], '/api/alice/tasks', ['X-Forwarded-Host: "><script>']);
    expect(reply.status).toBe(302);
    expect(reply.headers['location']).toBe(`http://${host}/api/alice/tasks/1`);
  });
});
