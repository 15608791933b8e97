// The interleaved client: its response framing, and a real run against real servers on sockets,
// one of which ends its connections the way nginx does after keepalive_requests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeResponse, formatRequests } from '../src/http-wire.js';
import { runInterleaved, summarise } from '../src/interleaved.js';
import type { PlannedRequest } from '../src/mix.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('completeResponse', () => {
  it('waits for a whole Content-Length body, then gives its status and length', () => {
    const head = 'HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\n';
    expect(completeResponse(bytes(`${head}abc`))).toBeUndefined();
    expect(completeResponse(bytes(`${head}abcde`))).toEqual({ status: 201, length: head.length + 5, close: false });
    expect(completeResponse(bytes(`${head}abcdeHTTP/1.1 200`))?.length).toBe(head.length + 5);
  });

  it('follows chunks to the last one', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    expect(completeResponse(bytes(`${head}3\r\nabc\r\n`))).toBeUndefined();
    expect(completeResponse(bytes(`${head}3\r\nabc\r\n0\r\n`))).toBeUndefined();
    const whole = `${head}3\r\nabc\r\na\r\n0123456789\r\n0\r\n\r\n`;
    expect(completeResponse(bytes(whole))).toEqual({ status: 200, length: whole.length, close: false });
  });

  it('knows a head-only answer, and an answer that ends its connection', () => {
    const noBody = 'HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n';
    expect(completeResponse(bytes(noBody))).toEqual({ status: 204, length: noBody.length, close: true });
    expect(completeResponse(bytes('HTTP/1.1 200 OK\r\nContent-Le'))).toBeUndefined();
  });
});

describe('formatRequests', () => {
  it('writes each planned request once, with the target as Host and the body framed', () => {
    const [get, post] = formatRequests('http://127.0.0.1:8080', [
      { op: 'list', method: 'GET', path: '/api/u/tasks', headers: { authorization: 'Bearer t' } },
      { op: 'create', method: 'POST', path: '/api/u/tasks', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
    ]);
    expect(get!.toString()).toBe('GET /api/u/tasks HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nauthorization: Bearer t\r\n\r\n');
    expect(post!.toString()).toBe('POST /api/u/tasks HTTP/1.1\r\nHost: 127.0.0.1:8080\r\ncontent-type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}');
  });
});

describe('summarise', () => {
  it('gives the nearest-rank percentiles of what was timed, and what was sent', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
    expect(summarise(samples, 2, 120)).toEqual({ requests: 100, sent: 120, failed: 2, latencyUs: { p50: 51, p90: 91, p99: 100 } });
  });
});

describe('runInterleaved against real servers', () => {
  const servers: Server[] = [];
  /** What each server saw, in order, stamped with a shared counter: interleaving is visible in the stamps. */
  const seen: Record<string, number[]> = { a: [], b: [] };
  let clock = 0;
  let closesAfter = 0;

  async function serve(name: 'a' | 'b', closeEvery: number): Promise<string> {
    let onConnection = 0;
    const server = createServer((req, res) => {
      seen[name]!.push(clock++);
      if (closeEvery > 0 && ++onConnection % closeEvery === 0) {
        closesAfter++;
        res.setHeader('connection', 'close'); // as nginx after keepalive_requests
      }
      const status = req.url === '/fail' ? 503 : 200;
      req.resume().on('end', () => res.writeHead(status, { 'content-type': 'text/plain' }).end(`${name} ${req.method}`));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  let urls: { a: string; b: string };
  beforeAll(async () => {
    urls = { a: await serve('a', 0), b: await serve('b', 7) };
  });
  afterAll(async () => {
    for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  it('times every target over the same stretch, in bursts, across connections the target closes, and counts non-2xx answers', async () => {
    const plan: PlannedRequest[] = [
      { op: 'list', method: 'GET', path: '/ok', headers: {} },
      { op: 'create', method: 'POST', path: '/ok', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(300) },
      { op: 'get', method: 'GET', path: '/fail', headers: {} },
    ];
    const result = await runInterleaved([{ name: 'a', url: urls.a }, { name: 'b', url: urls.b }], plan, { durationSec: 0.3, warmupCycles: 1 });
    const a = result.get('a')!;
    const b = result.get('b')!;
    // Both saw the same count of requests (whole cycles), more than the timed ones (warm-ups).
    expect(a.sent).toBe(b.sent);
    expect(seen['a']!.length).toBe(a.sent);
    expect(seen['b']!.length).toBe(b.sent);
    expect(a.requests).toBeGreaterThan(0);
    expect(a.sent).toBeGreaterThan(a.requests);
    // One in three planned requests answers 503, warm-ups included.
    expect(a.failed).toBe(Math.round(a.sent / 3));
    expect(b.failed).toBe(a.failed);
    // b closed its connections every 7 requests, and the run went on over new ones.
    expect(closesAfter).toBeGreaterThanOrEqual(Math.floor(b.sent / 7));
    // Interleaved: each server's requests span the whole run, not one block after the other.
    expect(seen['a']![0]!).toBeLessThan(seen['b']!.at(-1)!);
    expect(seen['b']![0]!).toBeLessThan(seen['a']!.at(-1)!);
    expect(a.latencyUs.p50).toBeGreaterThan(0);
    expect(a.latencyUs.p99).toBeGreaterThanOrEqual(a.latencyUs.p50);
  });
});
