// THREATS.md family 10 — slow request bodies. A body that sends nothing for
// limits.body_idle_timeout is answered 408 request_timeout (or, when the upstream already sent its
// head, cut off), and the upstream request is aborted; a body that keeps trickling is not cut.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { metricReaches, metricValue } from '../support/metrics.js';
import { statusCodes } from '../support/raw-http.js';
import { useGateway, useServer } from '../support/suite.js';
import { call, hostOf } from '../support/threat-kit.js';

const IDLE_MS = 500;
const CRLF = '\r\n';

/** What the upstream saw of each request: whether its body arrived whole, and when it ended. */
interface Seen {
  readonly url: string;
  readonly ended: Promise<{ complete: boolean; at: number }>;
}

const seen: Seen[] = [];
let arrivals: Array<() => void> = [];
/** Paths whose upstream answer starts before the body has arrived. */
const ANSWER_EARLY = '/api/mallory/tasks/1';

function handle(req: IncomingMessage, res: ServerResponse): void {
  const ended = new Promise<{ complete: boolean; at: number }>((resolve) => {
    req.once('close', () => resolve({ complete: req.complete, at: performance.now() }));
  });
  seen.push({ url: req.url ?? '', ended });
  for (const arrived of arrivals) arrived();
  arrivals = [];
  if (req.url === ANSWER_EARLY) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('working on it…');
  }
  req.resume();
  req.on('end', () => res.end('{"ok":true}'));
}

const nextArrival = () => new Promise<void>((resolve) => arrivals.push(resolve));

const upstream = useServer(async () => {
  const server: Server = createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
}, 'the upstream');
const gateway = useGateway(() => hs256Config(upstream.url, `limits: { body_idle_timeout: ${IDLE_MS}ms }`));
const [mallory, alice] = await Promise.all([hs256Token('mallory'), hs256Token('alice')]);

async function openRequest(method: string, path: string, headers: string[], firstBytes: string): Promise<{ socket: Socket; sentAt: number; response: Promise<string> }> {
  const { hostname, port } = new URL(gateway.url);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const response = once(socket, 'close').then(() => Buffer.concat(chunks).toString('latin1'));
  const head = [`${method} ${path} HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${mallory}`, 'Content-Type: application/json', ...headers].join(CRLF);
  socket.write(`${head}${CRLF}${CRLF}${firstBytes}`);
  return { socket, sentAt: performance.now(), response };
}

describe('a request body that stops', () => {
  it('before any answer → 408 request_timeout within body_idle_timeout, the upstream request aborted, others served meanwhile', async () => {
    const before = await metricValue(gateway.adminUrl, 'gateway_timeouts_total', { kind: 'body_idle' });
    const arrived = nextArrival();
    const slow = await openRequest('POST', '/api/mallory/tasks', ['Content-Length: 100'], '{"title":');
    await arrived;
    const upstreamSide = seen.at(-1)!;

    const other = await call(gateway.url, { method: 'POST', path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` }, body: '{"title":"x"}' });
    expect(other.status).toBe(200);

    const raw = await slow.response;
    const closedAfter = performance.now() - slow.sentAt;
    expect(statusCodes(raw)).toEqual([408]);
    expect(raw).toContain('"reason":"request_timeout"');
    expect(raw.toLowerCase()).toContain('connection: close');
    expect(closedAfter).toBeGreaterThanOrEqual(IDLE_MS);
    expect(closedAfter).toBeLessThan(IDLE_MS + 1_500);
    expect((await upstreamSide.ended).complete, 'the upstream never got a whole body').toBe(false);
    await metricReaches(gateway.adminUrl, 'gateway_timeouts_total', { kind: 'body_idle' }, before + 1);
  });

  it('after the upstream already answered its head → the response is cut off, the upstream request aborted', async () => {
    const arrived = nextArrival();
    const slow = await openRequest('PUT', ANSWER_EARLY, ['Transfer-Encoding: chunked'], `9${CRLF}{"title":${CRLF}`);
    await arrived;
    const upstreamSide = seen.at(-1)!;
    const raw = await slow.response;
    expect(statusCodes(raw)).toEqual([200]);
    expect(raw).not.toContain('{"ok":true}'); // never completed
    expect(raw).not.toMatch(/0\r\n\r\n$/); // no last chunk: the client can tell it was cut
    expect((await upstreamSide.ended).complete).toBe(false);
    expect(performance.now() - slow.sentAt).toBeLessThan(IDLE_MS + 1_500);
  });

  it('a body that keeps trickling is not cut, however long it takes in all', async () => {
    const body = '{"title":"slow but steady"}';
    const slow = await openRequest('POST', '/api/mallory/tasks', [`Content-Length: ${body.length}`, 'Connection: close'], body[0]!);
    // One byte every IDLE_MS / 4, for several times the idle time-out in total.
    for (const byte of body.slice(1)) {
      await new Promise<void>((resolve) => setTimeout(resolve, IDLE_MS / 4)); // pacing the client, not waiting for the gateway
      slow.socket.write(byte);
    }
    const raw = await slow.response;
    expect(statusCodes(raw)).toEqual([200]);
    expect(raw).toContain('{"ok":true}');
  });
});
