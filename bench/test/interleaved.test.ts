// The interleaved client: its response framing, and real runs against real servers on sockets —
// one ending connections with Connection: close as nginx does after keepalive_requests, one
// closing them right after an answer without saying so, one that dies on every request, one
// that never answers.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
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

  it('follows chunks to the last one, even beside a Content-Length', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n';
    expect(completeResponse(bytes(`${head}3\r\nabc\r\n`))).toBeUndefined();
    expect(completeResponse(bytes(`${head}3\r\nabc\r\n0\r\n`))).toBeUndefined();
    const whole = `${head}3\r\nabc\r\na\r\n0123456789\r\n0\r\n\r\n`;
    expect(completeResponse(bytes(whole))).toEqual({ status: 200, length: whole.length, close: false });
  });

  it('knows a bodiless answer, and an answer that ends its connection', () => {
    const noBody = 'HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n';
    expect(completeResponse(bytes(noBody))).toEqual({ status: 204, length: noBody.length, close: true });
    expect(completeResponse(bytes('HTTP/1.1 200 OK\r\nContent-Le'))).toBeUndefined();
  });

  it('refuses what would put it out of step: no status line, a bad chunk, a body framed by the close', () => {
    expect(() => completeResponse(bytes('okHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))).toThrow(/not an HTTP\/1.1 response/);
    expect(() => completeResponse(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'))).toThrow(/chunked/);
    expect(() => completeResponse(bytes('HTTP/1.1 200 OK\r\n\r\nuntil the close'))).toThrow(/neither Content-Length nor chunked/);
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
  let clock = 0;

  async function serve(handler: RequestListener): Promise<{ url: string; connections: () => number }> {
    const server = createServer(handler);
    let connections = 0;
    server.on('connection', () => connections++);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
  }

  /** Answers 200 (503 on /fail) after reading the body; stamps each request with the shared clock. */
  function answering(stamps: number[], closeEvery = 0): RequestListener {
    let answered = 0;
    return (req, res) => {
      stamps.push(clock++);
      if (closeEvery > 0 && ++answered % closeEvery === 0) res.setHeader('connection', 'close'); // as nginx after keepalive_requests
      req.resume().on('end', () => res.writeHead(req.url === '/fail' ? 503 : 200, { 'content-type': 'text/plain' }).end('done'));
    };
  }

  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  const plan: PlannedRequest[] = [
    { op: 'list', method: 'GET', path: '/ok', headers: {} },
    { op: 'create', method: 'POST', path: '/ok', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(300) },
    { op: 'get', method: 'GET', path: '/fail', headers: {} },
  ];

  it('times every target over the same stretch, in bursts of 48 of which the first 8 are untimed, and counts non-2xx answers', async () => {
    const stamps = { a: [] as number[], b: [] as number[] };
    const a = await serve(answering(stamps.a));
    const b = await serve(answering(stamps.b, 7));
    const result = await runInterleaved([{ name: 'a', url: a.url }, { name: 'b', url: b.url }], plan, { durationSec: 0.3, warmupCycles: 1 });
    const ra = result.get('a')!;
    const rb = result.get('b')!;
    // Whole cycles: each target got the same bursts; one warm-up cycle, then 40 timed of every 48.
    expect(ra.sent).toBe(rb.sent);
    expect(stamps.a.length).toBe(ra.sent);
    expect(ra.sent % 48).toBe(0);
    expect(ra.requests).toBe((ra.sent / 48 - 1) * 40);
    // One in three planned requests answers 503, warm-ups included.
    expect(ra.failed).toBe(ra.sent / 3);
    expect(rb.failed).toBe(ra.failed);
    // b ended a connection with every 7th answer, and the client went on over new ones.
    expect(b.connections()).toBe(Math.floor(rb.sent / 7) + (rb.sent % 7 === 0 ? 0 : 1));
    // Bursts: a's requests come in runs of 48 (96 when a ends one cycle and starts the next).
    const runs: number[] = [];
    stamps.a.forEach((stamp, i) => (i > 0 && stamp === stamps.a[i - 1]! + 1 ? runs[runs.length - 1]!++ : runs.push(1)));
    expect(runs.every((n) => n % 48 === 0)).toBe(true);
    // Interleaved: each server's requests span the run, not one block after the other.
    expect(stamps.a[0]!).toBeLessThan(stamps.b.at(-1)!);
    expect(stamps.b[0]!).toBeLessThan(stamps.a.at(-1)!);
  });

  it('goes on when a target closes its connection right after an answer without saying so', async () => {
    let answered = 0;
    const racing = await serve((req, res) => {
      req.resume().on('end', () => {
        res.end('done');
        if (++answered % 5 === 0) res.on('finish', () => req.socket.destroy()); // a FIN the next request may race
      });
    });
    const result = await runInterleaved([{ name: 'racing', url: racing.url }], plan.slice(0, 1), { durationSec: 0.3, warmupCycles: 1 });
    const r = result.get('racing')!;
    expect(r.failed).toBe(0);
    expect(r.requests).toBeGreaterThan(0);
    expect(racing.connections()).toBeGreaterThanOrEqual(Math.floor(answered / 5));
  });

  it('fails the run, naming the target, when a target drops every request or never answers', async () => {
    const dying = await serve((req) => req.socket.destroy());
    await expect(runInterleaved([{ name: 'dying', url: dying.url }], plan, { durationSec: 0.1, warmupCycles: 1 })).rejects.toThrow(/closed the connection before answering/);
    const silent = await serve(() => {});
    await expect(runInterleaved([{ name: 'silent', url: silent.url }], plan, { durationSec: 0.1, warmupCycles: 1, answerTimeoutMs: 200 })).rejects.toThrow(/sent no answer for 0.2 s/);
  });
});
