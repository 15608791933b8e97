// docs/threats.md family 8 — upstream connections that fail, and "exactly once" (docs/contract.md):
// a request that provably never reached the upstream — its pooled connection was found reset
// before a byte of it was written, or the connect was refused — is sent once more on a fresh
// connection; a request that may have reached it (any byte written) is never sent again,
// whatever the method. Real sockets on both sides: the upstream resets its connections at the
// moment the test chooses, in the same turn as the client's request is written to the gateway.
// The connect half (refused, then listening) and the Keep-Alive hints: forwarding-retry-connect.test.ts.
import { describe, expect, it } from 'vitest';
import { hs256Config, type TestGateway } from '../support/gateway.js';
import { eventually } from '../support/eventually.js';
import { hs256Token } from '../support/hs256.js';
import { metricValue } from '../support/metrics.js';
import { openRaw, type RawConnection } from '../support/raw-http.js';
import { rawResponse, startRawUpstream, type Drop, type RawUpstream } from '../support/raw-upstream.js';
import { useGateway, useServer } from '../support/suite.js';
import { call, expectDenial, hostOf, rawRequest } from '../support/threat-kit.js';

const alice = await hs256Token('alice');
const auth = { authorization: `Bearer ${alice}` };
const RETRIES = 'gateway_upstream_retries_total';
const ROUNDS = 10;
const CONCURRENT = 4;

/** Answers `[]` to everything, except a target naming a drop, which reads the request and closes or resets. */
const upstream = useServer(
  () => startRawUpstream((target) => (target.includes('drop=') ? { drop: target.includes('drop=reset') ? 'reset' : 'close' } : rawResponse('200 OK', ['Content-Type: application/json'], '[]'))),
  'the raw upstream',
);
// The upstream sends no Keep-Alive hint: the gateway keeps each idle connection for reuse.
const gateway = useGateway(() => hs256Config(upstream.url).replace('timeout: 2s', `timeout: 2s\n  connections: ${CONCURRENT}`) + `\nlimits: { concurrent_per_subject: ${CONCURRENT} }\n`);

function get(path: string): string {
  return rawRequest([`GET ${path} HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`]);
}

function post(path: string, body: string): string {
  return rawRequest([`POST ${path} HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`], body);
}

/** Statuses of the complete responses in a keep-alive stream (every answer here has a Content-Length). */
function completeStatuses(raw: string): number[] {
  const statuses: number[] = [];
  let at = 0;
  for (;;) {
    const headEnd = raw.indexOf('\r\n\r\n', at);
    if (headEnd < 0) return statuses;
    const head = raw.slice(at, headEnd);
    const end = headEnd + 4 + Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (raw.length < end) return statuses;
    statuses.push(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]));
    at = end;
  }
}

/** A keep-alive client connection to the gateway that sends one request at a time. */
class Client {
  private answered = 0;
  private constructor(private readonly connection: RawConnection) {}

  static async open(): Promise<Client> {
    return new Client(await openRaw(gateway.url));
  }

  /** Writes `bytes` now, synchronously; resolves with the status of its answer. */
  send(bytes: string): Promise<number> {
    const written = this.connection.write(bytes);
    const index = this.answered++;
    return written.then(() => this.connection.waitFor((raw) => completeStatuses(raw).length > index)).then((raw) => completeStatuses(raw)[index]!);
  }

  close(): void {
    this.connection.destroy();
  }
}

/**
 * Each client sends a warm-up GET (answered: the gateway has its connection, its pool an idle
 * connection to the upstream), then writes its request and, in the same synchronous turn, the
 * upstream resets every connection: the gateway reads the requests first, then the resets, so
 * each request waits on a pooled connection that is gone before any byte of it was written.
 * Resolves with the status each request got.
 */
async function sendAsUpstreamResets(round: number, requests: readonly string[]): Promise<number[]> {
  const clients = await Promise.all(requests.map(() => Client.open()));
  try {
    const warm = await Promise.all(clients.map((client, i) => client.send(get(`/api/alice/tasks?warm=${round}.${i}`))));
    expect(warm).toEqual(warm.map(() => 200));
    const answers = clients.map((client, i) => client.send(requests[i]!));
    expect(upstream.resetConnections(), 'pooled connections to reset').toBeGreaterThan(0);
    return await Promise.all(answers);
  } finally {
    for (const client of clients) client.close();
  }
}

/** Gives the gateway's pool an idle connection to the upstream. */
async function warm(): Promise<void> {
  expect((await call(gateway.url, { path: '/api/alice/tasks?warm', headers: auth })).status).toBe(200);
}

/** How many of the `count` requests logged after the first `from` log lines were retried for `reason`, once all are logged. */
async function retriedSince(gw: TestGateway, from: number, count: number, reason: string): Promise<number> {
  const lines = await eventually(() => gw.logs.slice(from).filter((l) => l['msg'] === 'request'), (found) => found.length >= count);
  return lines.filter((l) => l['retried'] === reason).length;
}

function seenOnce(up: RawUpstream, targets: readonly string[]): void {
  for (const target of targets) expect(up.targets.filter((t) => t === target), target).toHaveLength(1);
}

describe('a pooled connection the upstream resets while a request waits to be written on it', () => {
  it('GET, one after another: every request is answered 200 and reaches the upstream exactly once', async () => {
    const before = await metricValue(gateway.adminUrl, RETRIES, { reason: 'socket_closed' });
    const logged = gateway.logs.length;
    const targets: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const target = `/api/alice/tasks?n=${round}`;
      targets.push(target);
      expect(await sendAsUpstreamResets(round, [get(target)]), target).toEqual([200]);
    }
    seenOnce(upstream, targets);
    // Each retry is counted and logged: at least one request here needed one.
    const retried = await retriedSince(gateway, logged, 2 * ROUNDS, 'socket_closed'); // each round: a warm-up and the request
    expect(retried).toBeGreaterThan(0);
    expect(await metricValue(gateway.adminUrl, RETRIES, { reason: 'socket_closed' })).toBe(before + retried);
  });

  it(`GET, ${CONCURRENT} at once on ${CONCURRENT} pooled connections: all answered 200, each reaching the upstream exactly once`, async () => {
    const logged = gateway.logs.length;
    const targets: string[] = [];
    for (let round = 0; round < ROUNDS / 2; round++) {
      const batch = Array.from({ length: CONCURRENT }, (_, i) => `/api/alice/tasks?c=${round}.${i}`);
      targets.push(...batch);
      expect(await sendAsUpstreamResets(round, batch.map(get))).toEqual(batch.map(() => 200));
    }
    seenOnce(upstream, targets);
    expect(await retriedSince(gateway, logged, 2 * targets.length, 'socket_closed')).toBeGreaterThan(0);
  });

  it('POST with a body that was not read yet: sent again whole, and received once', async () => {
    const body = JSON.stringify({ title: 'x'.repeat(600) });
    const logged = gateway.logs.length;
    const targets: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const target = `/api/alice/tasks?p=${round}`;
      targets.push(target);
      expect(await sendAsUpstreamResets(round, [post(target, body)]), target).toEqual([200]);
    }
    seenOnce(upstream, targets);
    for (const target of targets) expect(upstream.bodies[upstream.targets.indexOf(target)]).toBe(body);
    expect(await retriedSince(gateway, logged, 2 * ROUNDS, 'socket_closed')).toBeGreaterThan(0);
  });
});

describe('an upstream that reads the request, then drops the connection without answering', () => {
  for (const drop of ['close', 'reset'] as const satisfies ReadonlyArray<Drop['drop']>) {
    for (const method of ['GET', 'POST'] as const) {
      it(`${method}, ${drop === 'close' ? 'closed (FIN)' : 'reset (RST)'} on a reused connection → 502 upstream_unreachable, never sent again`, async () => {
        await warm();
        const before = await metricValue(gateway.adminUrl, RETRIES);
        const target = `/api/alice/tasks?drop=${drop}&m=${method}`;
        const reply = await call(gateway.url, { method, path: target, headers: { ...auth, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{"title":"x"}' } : {}) });
        expectDenial(reply, 502, 'upstream_unreachable');
        seenOnce(upstream, [target]);
        if (method === 'POST') expect(upstream.bodies[upstream.targets.indexOf(target)]).toBe('{"title":"x"}');
        const line = await eventually(() => gateway.logs.find((l) => l['msg'] === 'request' && l['request_id'] === reply.headers['x-request-id']), (l) => l !== undefined);
        expect(line).toMatchObject({ status: 502, reason: 'upstream_unreachable' });
        expect(line).not.toHaveProperty('retried');
        expect(await metricValue(gateway.adminUrl, RETRIES)).toBe(before);
      });
    }
  }
});
