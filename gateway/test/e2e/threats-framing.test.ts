// docs/threats.md family 7 — framing, over raw sockets: request smuggling (CL+TE, duplicate lengths,
// obfuscated Transfer-Encoding, obs-fold), pipelining where only the first request has a token,
// bodies left unread on a refusal, and unusual methods.
//
// Each smuggling attempt hides a second request for /api/bob/tasks — carrying alice's valid
// token — where a desynchronised parser would see it. Whatever the gateway answers, the upstream
// must never receive anything for bob, and at most the one legitimate request.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { hs256Config, startTestGateway, testEnv } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw, statusCodes } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { call, hostOf } from '../support/threat-kit.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const alice = await hs256Token('alice');
let host: string;
beforeAll(() => {
  host = hostOf(gateway.url);
});

const CRLF = '\r\n';

/** The request a desynchronised server would see as a second one. */
function smuggled(): string {
  return `GET /api/bob/tasks HTTP/1.1${CRLF}Host: ${host}${CRLF}Authorization: Bearer ${alice}${CRLF}Connection: close${CRLF}${CRLF}`;
}

/** A POST to alice's tasks with the given extra header lines and raw body bytes. */
function post(headerLines: readonly string[], body: string): string {
  return [`POST /api/alice/tasks HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${alice}`, 'Content-Type: application/json', ...headerLines].join(CRLF) + CRLF + CRLF + body;
}

function expectNothingForBob(): void {
  expect(upstream.requests.filter((r) => r.url.includes('bob'))).toEqual([]);
  expect(upstream.requests.length).toBeLessThanOrEqual(1);
  for (const r of upstream.requests) {
    expect(r.url).toBe('/api/alice/tasks');
    expect(r.headers['x-user-id']).toBe('alice');
  }
}

describe('request smuggling → 400, nothing forwarded', () => {
  // Built inside each test: the token and the gateway's Host exist only once beforeAll has run.
  const chunkedThenSmuggled = () => `0${CRLF}${CRLF}${smuggled()}`;
  const attempts: Array<[string, () => string]> = [
    ['Content-Length and Transfer-Encoding (CL.TE)', () => post(['Content-Length: 5', 'Transfer-Encoding: chunked'], chunkedThenSmuggled())],
    ['Transfer-Encoding and Content-Length (TE.CL)', () => post(['Transfer-Encoding: chunked', `Content-Length: ${chunkedThenSmuggled().length}`], chunkedThenSmuggled())],
    ['two different Content-Lengths', () => post(['Content-Length: 2', `Content-Length: ${2 + smuggled().length}`], `{}${smuggled()}`)],
    ['a Content-Length list', () => post([`Content-Length: 2, ${2 + smuggled().length}`], `{}${smuggled()}`)],
    ['a signed Content-Length', () => post(['Content-Length: +2'], `{}${smuggled()}`)],
    ['a hexadecimal Content-Length', () => post(['Content-Length: 0x2'], `{}${smuggled()}`)],
    ['Transfer-Encoding: xchunked with a Content-Length', () => post(['Transfer-Encoding: xchunked', 'Content-Length: 5'], chunkedThenSmuggled())],
    ['Transfer-Encoding: xchunked alone', () => post(['Transfer-Encoding: xchunked'], chunkedThenSmuggled())],
    ['Transfer-Encoding: chunked, identity (chunked not last)', () => post(['Transfer-Encoding: chunked, identity'], chunkedThenSmuggled())],
    ['a space before the colon', () => post(['Transfer-Encoding : chunked', 'Content-Length: 5'], chunkedThenSmuggled())],
    ['Transfer-Encoding folded onto the previous line (obs-fold)', () => post(['X-Padding: a', ' Transfer-Encoding: chunked', 'Content-Length: 5'], chunkedThenSmuggled())],
    ['Transfer-Encoding value on a continuation line (obs-fold)', () => post(['Transfer-Encoding:', ' chunked', 'Content-Length: 5'], chunkedThenSmuggled())],
    ['a vertical tab in Transfer-Encoding', () => post(['Transfer-Encoding:\u000bchunked', 'Content-Length: 5'], chunkedThenSmuggled())],
    ['a chunk size with a bogus prefix', () => post(['Transfer-Encoding: chunked'], `0x2${CRLF}{}${CRLF}0${CRLF}${CRLF}${smuggled()}`)],
    ['an overflowing chunk size', () => post(['Transfer-Encoding: chunked'], `fffffffffffffffff1${CRLF}{}${CRLF}0${CRLF}${CRLF}${smuggled()}`)],
    ['a bare LF after the chunk size', () => post(['Transfer-Encoding: chunked'], `2\n{}${CRLF}0${CRLF}${CRLF}${smuggled()}`)],
  ];
  for (const [name, bytes] of attempts) {
    it(name, async () => {
      const reply = await sendRaw(gateway.url, bytes());
      expect(statusCodes(reply.raw)[0], reply.raw.slice(0, 200)).toBe(400);
      expect(upstream.requests).toEqual([]);
    });
  }
});

describe('framing odd but unambiguous: parsed the one way, the hidden request answered on its own', () => {
  const body = '{"title":"x"}';
  const chunked = `${body.length.toString(16)}${CRLF}${body}${CRLF}0${CRLF}${CRLF}`;
  const cases: Array<[string, () => string]> = [
    ['extra spaces around chunked', () => post(['Transfer-Encoding:    chunked   '], chunked + smuggled())],
    ['Chunked in another case', () => post(['Transfer-Encoding: Chunked'], chunked + smuggled())],
    ['a chunk extension', () => post(['Transfer-Encoding: chunked'], `${body.length.toString(16)};name=value${CRLF}${body}${CRLF}0${CRLF}${CRLF}${smuggled()}`)],
    ['a body holding a request line', () => post([`Content-Length: ${body.length}`], body + smuggled())],
  ];
  for (const [name, bytes] of cases) {
    it(`${name}: the POST is forwarded once with its body, the request after it is judged alone (403)`, async () => {
      const reply = await sendRaw(gateway.url, bytes());
      const codes = statusCodes(reply.raw);
      expect(codes[0]).toBe(200);
      // The "smuggled" request is simply the next request on the connection: alice's token on bob's path.
      expect(codes.slice(1)).toEqual([403]);
      expectNothingForBob();
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0]!.body.toString('utf8')).toBe(body);
    });
  }

  it('duplicate identical Content-Lengths are refused or read as one length, never split', async () => {
    const reply = await sendRaw(gateway.url, post([`Content-Length: ${body.length}`, `Content-Length: ${body.length}`], body + smuggled()));
    const codes = statusCodes(reply.raw);
    expect([200, 400]).toContain(codes[0]);
    if (codes[0] === 200) expect(upstream.requests[0]!.body.toString('utf8')).toBe(body);
    expectNothingForBob();
  });

  it('obs-fold in an ordinary header is refused or joined, never a new header', async () => {
    const reply = await sendRaw(
      gateway.url,
      [`GET /api/alice/tasks HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${alice}`, 'X-Note: first', ' X-User-Id: bob', 'Connection: close'].join(CRLF) + CRLF + CRLF,
    );
    const codes = statusCodes(reply.raw);
    expect([200, 400]).toContain(codes[0]);
    for (const r of upstream.requests) expect(upstream.headerValues(r, 'x-user-id')).toEqual(['alice']);
  });

  it('an Authorization header folded over two lines does not become a credential for someone else', async () => {
    const [h, p, s] = alice.split('.');
    const reply = await sendRaw(gateway.url, [`GET /api/alice/tasks HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${h}.${p}`, ` .${s}`, 'Connection: close'].join(CRLF) + CRLF + CRLF);
    expect([400, 401]).toContain(statusCodes(reply.raw)[0]);
    expect(upstream.requests).toEqual([]);
  });
});

describe('bodies left unread on a refusal are never parsed as requests', () => {
  it('a 401 POST whose Content-Length body is a valid request', async () => {
    const inner = `GET /api/alice/tasks HTTP/1.1${CRLF}Host: ${host}${CRLF}Authorization: Bearer ${alice}${CRLF}Connection: close${CRLF}${CRLF}`;
    const bytes = [`POST /api/alice/tasks HTTP/1.1`, `Host: ${host}`, `Content-Length: ${inner.length}`].join(CRLF) + CRLF + CRLF + inner;
    const reply = await sendRaw(gateway.url, bytes + `GET /health HTTP/1.1${CRLF}Host: ${host}${CRLF}Connection: close${CRLF}${CRLF}`);
    const codes = statusCodes(reply.raw);
    expect(codes[0]).toBe(401);
    // If the connection stayed open, the next thing answered is the real second request (/health), not the body.
    expect(codes.slice(1).every((c) => c === 200)).toBe(true);
    expect(upstream.requests.filter((r) => r.url === '/api/alice/tasks')).toEqual([]);
  });

  it('a 403 POST whose chunked body is a valid request', async () => {
    const inner = `GET /api/alice/tasks HTTP/1.1${CRLF}Host: ${host}${CRLF}Authorization: Bearer ${alice}${CRLF}Connection: close${CRLF}${CRLF}`;
    const bytes = [`POST /api/bob/tasks HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${alice}`, 'Transfer-Encoding: chunked'].join(CRLF) + CRLF + CRLF;
    const reply = await sendRaw(gateway.url, `${bytes}${inner.length.toString(16)}${CRLF}${inner}${CRLF}0${CRLF}${CRLF}GET /health HTTP/1.1${CRLF}Host: ${host}${CRLF}Connection: close${CRLF}${CRLF}`);
    const codes = statusCodes(reply.raw);
    expect(codes[0]).toBe(403);
    expect(codes.slice(1).every((c) => c === 200)).toBe(true);
    expect(upstream.requests.filter((r) => r.url.startsWith('/api/'))).toEqual([]);
  });
});

describe('pipelining', () => {
  const get = (path: string, token: string | null, last = false) =>
    [`GET ${path} HTTP/1.1`, `Host: ${host}`, ...(token ? [`Authorization: Bearer ${token}`] : []), ...(last ? ['Connection: close'] : [])].join(CRLF) + CRLF + CRLF;

  it('only the first request carries a token: the second is 401, the upstream got one', async () => {
    const reply = await sendRaw(gateway.url, get('/api/alice/tasks', alice) + get('/api/alice/tasks', null, true));
    expect(statusCodes(reply.raw)).toEqual([200, 401]);
    expect(upstream.requests).toHaveLength(1);
  });

  it('a token is never carried over: token, none, token → 200, 401, 200', async () => {
    const reply = await sendRaw(gateway.url, get('/api/alice/tasks', alice) + get('/api/alice/tasks/1', null) + get('/api/alice/tasks', alice, true));
    expect(statusCodes(reply.raw)).toEqual([200, 401, 200]);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/api/alice/tasks', '/api/alice/tasks']);
  });

  it('a slow first answer and a fast refusal come back in request order', async () => {
    let release: () => void = () => undefined;
    upstream.respondWith((req, res) => {
      release = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ url: req.url }));
      };
    });
    const arrived = upstream.nextRequest();
    const replyPromise = sendRaw(gateway.url, get('/api/alice/tasks?first', alice) + get('/api/alice/tasks?second', null, true));
    await arrived;
    release();
    const reply = await replyPromise;
    expect(statusCodes(reply.raw)).toEqual([200, 401]);
    expect(reply.raw.indexOf('/api/alice/tasks?first')).toBeLessThan(reply.raw.indexOf('missing_token'));
    expect(upstream.requests.map((r) => r.url)).toEqual(['/api/alice/tasks?first']);
  });

  it('the same token on another user\'s path in the second request → 403', async () => {
    const reply = await sendRaw(gateway.url, get('/api/alice/tasks', alice) + get('/api/bob/tasks', alice, true));
    expect(statusCodes(reply.raw)).toEqual([200, 403]);
    expectNothingForBob();
  });
});

describe('unusual methods are never forwarded', () => {
  const send = (requestLine: string) =>
    sendRaw(gateway.url, [requestLine, `Host: ${host}`, `Authorization: Bearer ${alice}`, 'Connection: close'].join(CRLF) + CRLF + CRLF);

  for (const method of ['PROPFIND', 'TRACE', 'MKCOL', 'PURGE', 'OPTIONS', 'DELETE', 'PATCH', 'LINK', 'UNLINK', 'REPORT', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'SOURCE', 'ACL', 'QUERY', 'SEARCH', 'LOCK', 'COPY', 'MOVE']) {
    it(`${method} /api/alice/tasks → 405 with Allow`, async () => {
      const reply = await send(`${method} /api/alice/tasks HTTP/1.1`);
      expect(reply.status).toBe(405);
      expect(reply.headers['allow']).toContain('GET');
      expect(JSON.parse(reply.body)).toMatchObject({ reason: 'method_not_allowed' });
      expect(upstream.requests).toEqual([]);
    });
  }

  it('HEAD on a PATCH-only route → 405', async () => {
    const reply = await send('HEAD /api/alice/tasks/1/complete HTTP/1.1');
    expect(reply.status).toBe(405);
    expect(upstream.requests).toEqual([]);
  });

  for (const line of ['get /api/alice/tasks HTTP/1.1', 'Get /api/alice/tasks HTTP/1.1', 'FOO /api/alice/tasks HTTP/1.1', 'G\u00c9T /api/alice/tasks HTTP/1.1']) {
    it(`${JSON.stringify(line)} → 400 from the parser`, async () => {
      const reply = await send(line);
      expect(reply.status).toBe(400);
      expect(upstream.requests).toEqual([]);
    });
  }

  for (const line of ['CONNECT evil.example:443 HTTP/1.1', 'CONNECT /api/alice/tasks HTTP/1.1', `CONNECT ${host} HTTP/1.1`]) {
    it(`${JSON.stringify(line)} → refused or the connection closed, never forwarded`, async () => {
      const reply = await send(line);
      expect([0, 400, 405]).toContain(reply.status);
      expect(upstream.requests).toEqual([]);
    });
  }

  it('an Upgrade request (websocket) → answered as plain HTTP, the Upgrade never forwarded', async () => {
    const reply = await sendRaw(
      gateway.url,
      [`GET /api/alice/tasks HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${alice}`, 'Connection: Upgrade, close', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='].join(CRLF) + CRLF + CRLF,
    );
    expect(reply.status, reply.raw.slice(0, 300)).not.toBe(101);
    for (const r of upstream.requests) expect(upstream.headerValues(r, 'upgrade')).toEqual([]);
  });

  it('HTTP/1.1 without Host → 400; two Hosts → 400', async () => {
    const noHost = await sendRaw(gateway.url, [`GET /api/alice/tasks HTTP/1.1`, `Authorization: Bearer ${alice}`, 'Connection: close'].join(CRLF) + CRLF + CRLF);
    expect(noHost.status).toBe(400);
    const twoHosts = await sendRaw(gateway.url, [`GET /api/alice/tasks HTTP/1.1`, `Host: ${host}`, 'Host: evil.example', `Authorization: Bearer ${alice}`, 'Connection: close'].join(CRLF) + CRLF + CRLF);
    expect(twoHosts.status).toBe(400);
    expect(JSON.parse(twoHosts.body)).toMatchObject({ reason: 'malformed_request' });
    expect(upstream.requests).toEqual([]);
  });
});

describe('other protocol corners', () => {
  const head = (lines: readonly string[]) => lines.join(CRLF) + CRLF + CRLF;

  it('Expect: 100-continue with a valid token: the body is forwarded, the Expect header is not', async () => {
    const body = '{"title":"x"}';
    const reply = await sendRaw(
      gateway.url,
      head([`POST /api/alice/tasks HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${alice}`, 'Content-Type: application/json', `Content-Length: ${body.length}`, 'Expect: 100-continue', 'Connection: close']) + body,
    );
    expect(statusCodes(reply.raw).filter((c) => c !== 100)).toEqual([200]);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.body.toString('utf8')).toBe(body);
    expect(upstream.headerValues(upstream.requests[0]!, 'expect')).toEqual([]);
  });

  it('Expect: 100-continue without a token → 401 and no 100 before it, nothing forwarded', async () => {
    const body = '{"title":"x"}';
    const reply = await sendRaw(
      gateway.url,
      head([`POST /api/alice/tasks HTTP/1.1`, `Host: ${host}`, `Content-Length: ${body.length}`, 'Expect: 100-continue', 'Connection: close']) + body,
    );
    expect(statusCodes(reply.raw)).toEqual([401]);
    expect(upstream.requests).toEqual([]);
  });

  it('HEAD without a token → 401 with no body on the wire', async () => {
    const reply = await sendRaw(gateway.url, head([`HEAD /api/alice/tasks HTTP/1.1`, `Host: ${host}`, 'Connection: close']));
    expect(reply.status).toBe(401);
    expect(reply.raw.slice(reply.raw.indexOf(`${CRLF}${CRLF}`) + 4)).toBe('');
    expect(upstream.requests).toEqual([]);
  });

  it('HTTP/1.0 is judged the same way (token required, forwarded once when valid)', async () => {
    const denied = await sendRaw(gateway.url, head([`GET /api/alice/tasks HTTP/1.0`, `Host: ${host}`]));
    expect(denied.status).toBe(401);
    const allowed = await sendRaw(gateway.url, head([`GET /api/alice/tasks HTTP/1.0`, `Host: ${host}`, `Authorization: Bearer ${alice}`]));
    expect(allowed.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.headers['x-user-id']).toBe('alice');
  });

  it('an HTTP/2 preface or an unknown version → 400, nothing forwarded', async () => {
    for (const bytes of [`PRI * HTTP/2.0${CRLF}${CRLF}SM${CRLF}${CRLF}`, head([`GET /api/alice/tasks HTTP/1.2`, `Host: ${host}`, `Authorization: Bearer ${alice}`]), head([`GET /api/alice/tasks HTTP/3.0`, `Host: ${host}`])]) {
      const reply = await sendRaw(gateway.url, bytes);
      expect([0, 400, 505]).toContain(reply.status);
    }
    expect(upstream.requests).toEqual([]);
  });
});

describe('trailers', () => {
  it('request trailers naming identity headers never reach the upstream, as trailers or as headers; nor do the upstream\'s', async () => {
    // The recording upstream does not keep trailers: a plain server that does.
    const seen: Array<{ rawHeaders: string[]; rawTrailers: string[] }> = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push({ rawHeaders: req.rawHeaders, rawTrailers: req.rawTrailers });
        res.writeHead(200, { trailer: 'x-user-id', 'content-type': 'text/plain' });
        res.addTrailers({ 'x-user-id': 'bob' });
        res.end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const gw = await startTestGateway(hs256Config(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), testEnv);
    try {
      const gwHost = hostOf(gw.url);
      const reply = await sendRaw(
        gw.url,
        [`POST /api/alice/tasks HTTP/1.1`, `Host: ${gwHost}`, `Authorization: Bearer ${alice}`, 'Transfer-Encoding: chunked', 'Trailer: X-User-Id', 'TE: trailers', 'Connection: close'].join(CRLF) +
          `${CRLF}${CRLF}2${CRLF}{}${CRLF}0${CRLF}X-User-Id: bob${CRLF}Authorization: Bearer forged.forged.forged${CRLF}${CRLF}`,
      );
      expect(reply.status).toBe(200);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.rawTrailers).toEqual([]);
      const names = seen[0]!.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      expect(names.filter((n) => n === 'x-user-id')).toHaveLength(1);
      expect(seen[0]!.rawHeaders[seen[0]!.rawHeaders.findIndex((n) => n.toLowerCase() === 'x-user-id') + 1]).toBe('alice');
      expect(names).not.toContain('trailer');
      // The upstream's trailer announcement and its trailer are not passed on.
      expect(reply.headers['trailer']).toBeUndefined();
      expect(reply.raw).not.toMatch(/x-user-id: bob/i);
    } finally {
      await gw.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('response queue poisoning', () => {
  it('an extra response an upstream sends after the first is never delivered to the next client', async () => {
    // A raw upstream: its first answer on a connection carries a second, unsolicited response.
    const seen: string[] = [];
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      let buffered = '';
      let answered = 0;
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        let end: number;
        while ((end = buffered.indexOf(`${CRLF}${CRLF}`)) >= 0) {
          const head = buffered.slice(0, end);
          buffered = buffered.slice(end + 4);
          const target = head.split(' ')[1] ?? '';
          seen.push(target);
          const answer = (body: string) => `HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}Content-Length: ${body.length}${CRLF}${CRLF}${body}`;
          socket.write(answered++ === 0 ? answer(JSON.stringify({ for: target })) + answer('{"poison":"alice-secret"}') : answer(JSON.stringify({ for: target })));
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const gw = await startTestGateway(hs256Config(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), testEnv);
    try {
      const bob = await hs256Token('bob');
      const first = await call(gw.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` } });
      expect(first.status).toBe(200);
      expect(JSON.parse(first.text)).toEqual({ for: '/api/alice/tasks' });
      for (let i = 0; i < 3; i++) {
        const next = await call(gw.url, { path: '/api/bob/tasks', headers: { authorization: `Bearer ${bob}` } });
        expect(next.text).not.toContain('poison');
        expect(next.status).toBe(200);
        expect(JSON.parse(next.text)).toEqual({ for: '/api/bob/tasks' });
      }
    } finally {
      await gw.close();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
