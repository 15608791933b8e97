// docs/threats.md family 6 — header spoofing, over raw sockets (exact names, cases and duplicates).
// The upstream must see the gateway's identity and forwarding headers, exactly once each, and
// nothing the client sent in their place.
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../support/recording-upstream.js';
import { hs256Config, type TestGateway } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw, type RawResponse } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { hostOf, rawRequest } from '../support/threat-kit.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const alice = await hs256Token('alice', { email: 'alice@example.com' });
const aliceNoEmail = await hs256Token('alice');

interface SendOptions {
  readonly gw?: TestGateway;
  readonly method?: string;
  readonly path?: string;
  readonly token?: string | null;
  readonly host?: string;
  readonly connection?: string;
  readonly body?: string;
}

/** One request with extra header lines sent exactly as written. */
function send(lines: readonly string[], o: SendOptions = {}): Promise<RawResponse> {
  const gw = o.gw ?? gateway;
  const auth = o.token === null ? [] : [`Authorization: Bearer ${o.token ?? alice}`];
  const framing = o.body === undefined ? [] : [`Content-Length: ${Buffer.byteLength(o.body)}`];
  return sendRaw(
    gw.url,
    rawRequest(
      [`${o.method ?? 'GET'} ${o.path ?? '/api/alice/tasks'} HTTP/1.1`, `Host: ${o.host ?? hostOf(gw.url)}`, ...auth, ...lines, ...framing, `Connection: ${o.connection ?? 'close'}`],
      o.body ?? '',
    ),
  );
}

/** Sends, expects exactly one forwarded request, returns it. */
async function forwarded(lines: readonly string[], o: SendOptions = {}): Promise<RecordedRequest> {
  const reply = await send(lines, o);
  expect(reply.status, reply.body).toBe(200);
  expect(upstream.requests).toHaveLength(1);
  return upstream.requests[0]!;
}

const values = (seen: RecordedRequest, name: string) => upstream.headerValues(seen, name);
const names = (seen: RecordedRequest) => seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());

describe('identity headers', () => {
  const spoofs = [
    'X-User-Id: bob',
    'x-user-id: bob',
    'X-USER-ID: bob',
    'x-User-iD: bob',
    'X_User_Id: bob',
    'x_user_id: bob',
    'X-User_Id: bob',
    'X-User-Id: alice',
    'X-User-Email: bob@evil.example',
    'X_USER_EMAIL: bob@evil.example',
    'x-user-email: bob@evil.example',
  ];

  it('spoofed in every case, with _ for -, and duplicated: the upstream sees only the verified values, once', async () => {
    const seen = await forwarded(spoofs);
    expect(values(seen, 'x-user-id')).toEqual(['alice']);
    expect(values(seen, 'x-user-email')).toEqual(['alice@example.com']);
    expect(names(seen).filter((n) => n.includes('_'))).toEqual([]);
  });

  it('a spoofed header with no verified claim behind it is removed, not passed on', async () => {
    const seen = await forwarded(spoofs, { token: aliceNoEmail });
    expect(values(seen, 'x-user-id')).toEqual(['alice']);
    expect(values(seen, 'x-user-email')).toEqual([]);
  });

  it('every header name containing _ is dropped (CGI/WSGI would read X_Foo as X-Foo)', async () => {
    const seen = await forwarded(['Foo_Bar: 1', 'X_Forwarded_For: 6.6.6.6', 'Authorization_: Bearer x', 'X-Kept: yes']);
    expect(names(seen).filter((n) => n.includes('_'))).toEqual([]);
    expect(values(seen, 'x-kept')).toEqual(['yes']);
  });

  it('a public route gets no identity headers at all, spoofed or not', async () => {
    const seen = await forwarded(spoofs, { path: '/health', token: null });
    expect(values(seen, 'x-user-id')).toEqual([]);
    expect(values(seen, 'x-user-email')).toEqual([]);
  });
});

describe('headers named in Connection', () => {
  it('naming the identity and forwarding headers does not strip the values the gateway sets', async () => {
    const seen = await forwarded(['X-User-Id: bob'], { connection: 'close, X-User-Id, x-user-email, X-Forwarded-For, x-forwarded-host, X-Request-Id' });
    expect(values(seen, 'x-user-id')).toEqual(['alice']);
    expect(values(seen, 'x-user-email')).toEqual(['alice@example.com']);
    expect(values(seen, 'x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(values(seen, 'x-forwarded-host')).toEqual([hostOf(gateway.url)]);
    expect(values(seen, 'x-request-id')).toHaveLength(1);
  });

  it('a client header it names is not forwarded', async () => {
    const seen = await forwarded(['X-Secret-Hop: 1', 'X-Kept: yes'], { connection: 'close, x-secret-hop' });
    expect(values(seen, 'x-secret-hop')).toEqual([]);
    expect(values(seen, 'x-kept')).toEqual(['yes']);
  });

  it('naming Content-Length does not cut the body off', async () => {
    const body = JSON.stringify({ title: 'milk' });
    const seen = await forwarded(['Content-Type: application/json'], { method: 'POST', body, connection: 'close, Content-Length, Content-Type' });
    expect(seen.body.toString('utf8')).toBe(body);
    expect(seen.headers['content-type']).toBe('application/json');
  });

  it('hop-by-hop headers from the client never reach the upstream', async () => {
    const seen = await forwarded(['TE: trailers', 'Keep-Alive: timeout=999', 'Proxy-Authorization: Basic YTpi', 'Proxy-Connection: keep-alive', 'Upgrade: h2c', 'Trailer: X-Foo']);
    for (const name of ['te', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'upgrade', 'trailer']) expect(values(seen, name), name).toEqual([]);
  });
});

describe('rewrite and method-override headers', () => {
  it('X-Original-URL, X-Rewrite-URL and X-Forwarded-Prefix never reach the upstream; the path is the one authorized', async () => {
    const seen = await forwarded(['X-Original-URL: /api/bob/tasks', 'x-rewrite-url: /api/bob/tasks', 'X-ORIGINAL-URL: /admin', 'X-Forwarded-Prefix: /bob']);
    expect(seen.url).toBe('/api/alice/tasks');
    for (const name of ['x-original-url', 'x-rewrite-url', 'x-forwarded-prefix']) expect(values(seen, name), name).toEqual([]);
  });

  it('method-override headers are dropped and the method is the one sent', async () => {
    const seen = await forwarded(['X-HTTP-Method-Override: DELETE', 'X-HTTP-Method: PUT', 'X-Method-Override: PATCH', 'x-http-method-override: DELETE'], {
      method: 'POST',
      body: '{"title":"x"}',
    });
    expect(seen.method).toBe('POST');
    for (const name of ['x-http-method-override', 'x-http-method', 'x-method-override']) expect(values(seen, name), name).toEqual([]);
  });

  it('a method override cannot turn an allowed GET into a DELETE on a route that forbids it', async () => {
    const seen = await forwarded(['X-HTTP-Method-Override: DELETE']);
    expect(seen.method).toBe('GET');
  });
});

const SPOOFED_FORWARDING = [
  'Forwarded: for=6.6.6.6;host=evil.example;proto=https',
  'X-Forwarded-For: 6.6.6.6',
  'x-forwarded-for: 7.7.7.7',
  'X-Forwarded-Host: evil.example',
  'X-Forwarded-Proto: https',
  'X-Real-IP: 6.6.6.6',
  'X-Forwarded-Port: 443',
  'X-Forwarded-Server: evil.example',
  'X-Forwarded-Uri: /api/bob/tasks',
  'X-Forwarded-Ssl: on',
];

function expectForwardingReplaced(seen: RecordedRequest, gw: TestGateway): void {
  expect(values(seen, 'x-forwarded-for')).toEqual(['127.0.0.1']);
  expect(values(seen, 'x-forwarded-proto')).toEqual(['http']);
  expect(values(seen, 'x-forwarded-host')).toEqual([hostOf(gw.url)]);
  for (const name of ['forwarded', 'x-real-ip', 'x-forwarded-port', 'x-forwarded-server', 'x-forwarded-uri', 'x-forwarded-ssl']) {
    expect(values(seen, name), name).toEqual([]);
  }
}

describe('forwarding headers from an untrusted peer (trust_proxy: false, the default)', () => {
  it('Forwarded, X-Forwarded-* and X-Real-IP are replaced by the gateway\'s own', async () => {
    expectForwardingReplaced(await forwarded(SPOOFED_FORWARDING), gateway);
  });

  it('the Host the client sent travels in x-forwarded-host; the upstream gets its own Host', async () => {
    const seen = await forwarded([], { host: 'evil.example' });
    expect(values(seen, 'host')).toEqual([new URL(upstream.url).host]);
    expect(values(seen, 'x-forwarded-host')).toEqual(['evil.example']);
  });

  it('x-request-id: a usable one is kept, duplicates collapse into one the gateway chose', async () => {
    const kept = await forwarded(['X-Request-Id: trace-123']);
    expect(values(kept, 'x-request-id')).toEqual(['trace-123']);
    upstream.reset();
    const reply = await send(['X-Request-Id: a', 'X-Request-Id: b']);
    expect(reply.status).toBe(200);
    const ids = values(upstream.requests[0]!, 'x-request-id');
    expect(ids).toHaveLength(1);
    expect(ids[0]).toBe(reply.headers['x-request-id']);
  });
});

describe('trust_proxy', () => {
  const trusting = useGateway(() => hs256Config(upstream.url, 'trust_proxy: [127.0.0.1/32]'));
  const distrusting = useGateway(() => hs256Config(upstream.url, 'trust_proxy: [10.0.0.0/8]'));
  const noAuthForward = useGateway(() => hs256Config(upstream.url, 'forward_authorization: false'));

  it('a trusted peer\'s X-Forwarded-For is appended to, its proto and host believed', async () => {
    const seen = await forwarded(['X-Forwarded-For: 6.6.6.6', 'X-Forwarded-For: 7.7.7.7', 'X-Forwarded-Proto: https', 'X-Forwarded-Host: app.example'], { gw: trusting });
    expect(values(seen, 'x-forwarded-for')).toEqual(['6.6.6.6, 7.7.7.7, 127.0.0.1']);
    expect(values(seen, 'x-forwarded-proto')).toEqual(['https']);
    expect(values(seen, 'x-forwarded-host')).toEqual(['app.example']);
  });

  it('even from a trusted peer, identity and rewrite headers are still removed', async () => {
    const seen = await forwarded(['X-User-Id: bob', 'X_User_Id: bob', 'X-Original-URL: /api/bob/tasks', 'X-Forwarded-Prefix: /x'], { gw: trusting });
    expect(values(seen, 'x-user-id')).toEqual(['alice']);
    expect(values(seen, 'x-original-url')).toEqual([]);
    expect(values(seen, 'x-forwarded-prefix')).toEqual([]);
  });

  it('Location is rewritten to the forwarded origin only when the peer is trusted', async () => {
    upstream.respondWith((_req, res) => {
      res.writeHead(201, { location: `${upstream.origin}/api/alice/tasks/7` });
      res.end();
    });
    const spoof = ['X-Forwarded-Host: evil.example', 'X-Forwarded-Proto: https'];
    const trusted = await send(spoof, { gw: trusting, method: 'POST', body: '{}' });
    expect(trusted.headers['location']).toBe('https://evil.example/api/alice/tasks/7');
    for (const gw of [gateway, distrusting]) {
      const untrusted = await send(spoof, { gw, method: 'POST', body: '{}' });
      expect(untrusted.headers['location']).toBe(`${gw.url}/api/alice/tasks/7`);
    }
  });

  it('a peer outside the trusted CIDRs is not believed', async () => {
    expectForwardingReplaced(await forwarded(SPOOFED_FORWARDING, { gw: distrusting }), distrusting);
  });

  it('forward_authorization: false keeps the token away from the upstream', async () => {
    const seen = await forwarded([], { gw: noAuthForward });
    expect(values(seen, 'authorization')).toEqual([]);
    expect(values(seen, 'x-user-id')).toEqual(['alice']);
  });
});
