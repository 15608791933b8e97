// Responses that carry no body by definition (RFC 9110 §6.4.1, §15.3.5, §15.4.5): a 304, a 204
// and any answer to HEAD pass as proper responses — status and headers kept, Content-Length
// included where RFC 9110 allows it (304, HEAD), nothing after the head, the connection reusable.
// An upstream that sends a body after its 204 anyway gets a clean 204 without that body.
import { get as httpGet } from 'node:http';
import { beforeEach, describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw, statusCodes } from '../support/raw-http.js';
import { rawResponse, startRawUpstream } from '../support/raw-upstream.js';
import { useGateway, useServer, useUpstream } from '../support/suite.js';
import { call, hostOf, rawRequest } from '../support/threat-kit.js';

const CRLF = '\r\n';
const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const alice = await hs256Token('alice');

/** Two requests on one connection: the bodiless answer first, then a plain GET that must be answered too. */
function twoOnOneConnection(method: string, path: string, extra: readonly string[] = []): string {
  const host = hostOf(gateway.url);
  return (
    rawRequest([`${method} ${path} HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${alice}`, ...extra]) +
    rawRequest([`GET /api/alice/tasks?second HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${alice}`, 'Connection: close'])
  );
}

/** A GET with node:http, read to the end. */
function nodeGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The bytes after the first response's head, up to the second response's status line. */
function betweenResponses(raw: string): string {
  const headEnd = raw.indexOf(`${CRLF}${CRLF}`) + 4;
  const next = raw.indexOf('HTTP/1.1 ', headEnd);
  return raw.slice(headEnd, next < 0 ? undefined : next);
}

describe('a 304 Not Modified with Content-Length (RFC 9110 §15.4.5 allows it)', () => {
  beforeEach(() =>
    upstream.respondWith((_req, res) => {
      // The length of the representation the client already has; no body follows.
      res.writeHead(304, { etag: '"v1"', 'content-length': '1234', 'cache-control': 'max-age=60' });
      res.end();
    }),
  );

  it('reaches an HTTP client as a proper 304 with its headers', async () => {
    // Node's own client: undici (and so fetch) fails a 304 with Content-Length by itself.
    const reply = await nodeGet(`${gateway.url}/api/alice/tasks/1`, { authorization: `Bearer ${alice}`, 'if-none-match': '"v1"' });
    expect(reply.status).toBe(304);
    expect(reply.headers['etag']).toBe('"v1"');
    expect(reply.headers['content-length']).toBe('1234');
    expect(reply.headers['cache-control']).toBe('max-age=60');
    expect(reply.text).toBe('');
  });

  it('writes no body and keeps the connection usable for the next request', async () => {
    upstream.respondWith((req, res) => {
      if (req.url.endsWith('?second')) return void res.end('second');
      res.writeHead(304, { etag: '"v1"', 'content-length': '1234' });
      res.end();
    });
    const reply = await sendRaw(gateway.url, twoOnOneConnection('GET', '/api/alice/tasks/1', ['If-None-Match: "v1"']));
    expect(statusCodes(reply.raw)).toEqual([304, 200]);
    expect(reply.headers['content-length']).toBe('1234');
    expect(betweenResponses(reply.raw)).toBe('');
    expect(reply.raw).toContain('second');
  });
});

describe('a 204 No Content', () => {
  it('passes with its headers, no body, the connection reusable', async () => {
    upstream.respondWith((req, res) => {
      if (req.url.endsWith('?second')) return void res.end('second');
      res.writeHead(204, { 'x-deleted': 'yes' });
      res.end();
    });
    const reply = await sendRaw(gateway.url, twoOnOneConnection('DELETE', '/api/alice/tasks/1'));
    expect(statusCodes(reply.raw)).toEqual([204, 200]);
    expect(reply.headers['x-deleted']).toBe('yes');
    expect(reply.headers['content-length']).toBeUndefined();
    expect(reply.headers['transfer-encoding']).toBeUndefined();
    expect(betweenResponses(reply.raw)).toBe('');
  });
});

describe('an answer to HEAD', () => {
  it('keeps the Content-Length of the GET it stands for, and writes no body', async () => {
    upstream.respondWith((req, res) => {
      if (req.url.endsWith('?second')) return void res.end('second');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5678' });
      res.end();
    });
    const reply = await sendRaw(gateway.url, twoOnOneConnection('HEAD', '/api/alice/tasks'));
    expect(statusCodes(reply.raw)).toEqual([200, 200]);
    expect(reply.headers['content-length']).toBe('5678');
    expect(betweenResponses(reply.raw)).toBe('');
  });

  it('is a clean reply for an HTTP client too', async () => {
    upstream.respondWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5678' });
      res.end();
    });
    const reply = await call(gateway.url, { method: 'HEAD', path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe('5678');
    expect(reply.text).toBe('');
  });
});

describe('an upstream that sends a body after a 204 (a broken upstream)', () => {
  // A raw upstream: Node's own server would never write a body for a 204.
  const broken = useServer(() =>
    startRawUpstream((target) =>
      target.endsWith('?second') ? rawResponse('200 OK', [], 'second') : rawResponse('204 No Content', [], '{"leaked":"body after 204"}'),
    ),
  );
  const gw = useGateway(() => hs256Config(broken.url));

  it('is a clean 204 without the body, never a reset, and the gateway keeps serving', async () => {
    const first = await call(gw.url, { method: 'DELETE', path: '/api/alice/tasks/1', headers: { authorization: `Bearer ${alice}` } });
    expect(first.status).toBe(204);
    expect(first.text).toBe('');
    expect(first.headers['content-length']).toBeUndefined();
    const host = hostOf(gw.url);
    const raw = await sendRaw(
      gw.url,
      rawRequest([`DELETE /api/alice/tasks/1 HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${alice}`]) +
        rawRequest([`GET /api/alice/tasks?second HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${alice}`, 'Connection: close']),
    );
    expect(statusCodes(raw.raw)).toEqual([204, 200]);
    expect(raw.raw).not.toContain('leaked');
    expect(raw.raw).toContain('second');
  });
});
