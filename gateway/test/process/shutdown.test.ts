// Graceful shutdown, end to end: a real `gateway` process, real keep-alive sockets, a real SIGTERM.
// Clients that already hold a connection send on it after the signal (the soak's 86 resets);
// requests in flight finish; nothing is reset; the process exits 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { hs256Config, testEnv } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { openRaw, responsesIn, type RawConnection } from '../support/raw-http.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';
import { spawnGateway, writeTempConfig, type SpawnedGateway } from '../support/spawn-gateway.js';

let upstream: RecordingUpstream;
let bob: string;
let alice: string;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
  [bob, alice] = await Promise.all([hs256Token('bob'), hs256Token('alice')]);
});
afterAll(async () => {
  await upstream?.close();
});

const CLIENTS = 6;
/** 64 KiB the slow in-flight answer must deliver whole. */
const SLOW_BODY = 'x'.repeat(64 * 1024);

const isListening = (line: Record<string, unknown>) => line['msg'] === 'listening';
const isShuttingDown = (line: Record<string, unknown>) => String(line['msg']).startsWith('shutting down');

function get(url: string, path: string, token: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nAuthorization: Bearer ${token}\r\n\r\n`;
}

/**
 * A client holding one keep-alive connection that has already been answered once. Half-open
 * allowed, as a real client's socket is in the instant it writes: a FIN it has not noticed yet
 * does not stop its write, and a server that destroyed the socket answers that write with a reset.
 */
async function servedOnce(url: string): Promise<RawConnection> {
  const conn = await openRaw(url, { allowHalfOpen: true });
  await conn.write(get(url, '/api/bob/tasks', bob));
  await conn.waitFor((raw) => responsesIn(raw).length === 1);
  const [first] = responsesIn(conn.received());
  expect(first?.status).toBe(200);
  expect(first?.headers['connection']).toBe('keep-alive');
  return conn;
}

/** The upstream answers `/api/alice/tasks/slow` only when the test says so; everything else at once. */
function holdSlow(): { release(): void } {
  let release = () => {};
  upstream.respondWith((req, res) => {
    if (req.url !== '/api/alice/tasks/slow') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('[]');
      return;
    }
    return new Promise<void>((resolve) => {
      release = () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(SLOW_BODY.length) }).end(SLOW_BODY);
        resolve();
      };
    });
  });
  return { release: () => release() };
}

async function startGateway(extra: string): Promise<{ run: SpawnedGateway; url: string; adminUrl: string }> {
  const run = spawnGateway(['--config', writeTempConfig(hs256Config(upstream.url, extra))], testEnv);
  const { url, admin_url: adminUrl } = (await run.waitForLine(isListening)) as { url: string; admin_url: string };
  return { run, url, adminUrl };
}

describe('SIGTERM with keep-alive clients (one process)', () => {
  it('answers every request sent on a reused socket after the signal, with Connection: close, and finishes the one in flight', async () => {
    const slow = holdSlow();
    const { run, url, adminUrl } = await startGateway('shutdown: { idle_grace: 5s }');
    try {
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => servedOnce(url)));
      const arrived = upstream.nextRequest();
      const inFlight = request(`${url}/api/alice/tasks/slow`, { headers: { authorization: `Bearer ${alice}` } });
      inFlight.catch(() => {}); // judged below; a failure before that must not go unhandled
      await arrived;

      run.child.kill('SIGTERM');
      await run.waitForLine(isShuttingDown);

      // The load balancer is told at once; the admin port stays up while the drain runs.
      const ready = await request(`${adminUrl}/readyz`);
      expect(ready.statusCode).toBe(503);
      expect(await ready.body.json()).toMatchObject({ ready: false, draining: true });
      // No new connection is taken.
      await expect(request(`${url}/api/bob/tasks`, { headers: { authorization: `Bearer ${bob}` } })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      await Promise.all(clients.map((conn) => conn.write(get(url, '/api/bob/tasks', bob))));
      for (const conn of clients) {
        await conn.waitFor((raw) => responsesIn(raw).length === 2);
        const second = responsesIn(conn.received())[1]!;
        expect(second.status).toBe(200);
        expect(second.body).toBe('[]');
        expect(second.headers['connection']).toBe('close');
        await conn.ended; // the gateway's FIN after the answer; then ours
        conn.end();
        await conn.closed;
        expect(conn.errorCode()).toBeUndefined();
      }

      slow.release();
      const res = await inFlight;
      expect(res.statusCode).toBe(200);
      expect(res.headers['connection']).toBe('close');
      expect(await res.body.text()).toBe(SLOW_BODY);
      expect(await run.exited).toBe(0);
      expect(run.lines.some((l) => l['msg'] === 'stopped')).toBe(true);
    } finally {
      upstream.reset();
      run.child.kill('SIGKILL');
    }
  });

  it('answers requests pipelined after the signal, and only the last one closes the connection', async () => {
    upstream.reset();
    const { run, url } = await startGateway('shutdown: { idle_grace: 5s }');
    try {
      const conn = await servedOnce(url);
      run.child.kill('SIGTERM');
      await run.waitForLine(isShuttingDown);
      await conn.write(get(url, '/api/bob/tasks/2', bob) + get(url, '/api/bob/tasks/3', bob));
      await conn.ended;
      const answers = responsesIn(conn.received()).map((r) => [r.status, r.headers['connection'], JSON.parse(r.body).url]);
      expect(answers).toEqual([
        [200, 'keep-alive', '/api/bob/tasks'],
        [200, 'keep-alive', '/api/bob/tasks/2'],
        [200, 'close', '/api/bob/tasks/3'],
      ]);
      conn.end();
      await conn.closed;
      expect(conn.errorCode()).toBeUndefined();
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('closes a keep-alive socket that sends nothing with a FIN after the grace, never a reset, and exits 0', async () => {
    const { run, url } = await startGateway('');
    try {
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => servedOnce(url)));
      run.child.kill('SIGTERM');
      for (const conn of clients) {
        await conn.ended;
        conn.end();
        await conn.closed;
        expect(conn.errorCode()).toBeUndefined();
        expect(responsesIn(conn.received())).toHaveLength(1);
      }
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('never forwards a request that arrives after its connection was half-closed', async () => {
    const { run, url } = await startGateway('');
    try {
      const conn = await openRaw(url, { allowHalfOpen: true });
      await conn.write(get(url, '/api/bob/tasks', bob));
      await conn.waitFor((raw) => responsesIn(raw).length === 1);
      const before = upstream.requests.length;
      run.child.kill('SIGTERM');
      await conn.ended;
      // Our side is still open: the gateway reads what we send (no reset), but cannot answer it.
      await conn.write(get(url, '/api/bob/tasks/late', bob));
      conn.end();
      await conn.closed;
      expect(conn.errorCode()).toBeUndefined();
      expect(responsesIn(conn.received())).toHaveLength(1);
      expect(await run.exited).toBe(0);
      expect(upstream.requests.length).toBe(before);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

describe('SIGTERM with keep-alive clients (workers: 2)', () => {
  it('answers every request sent on a reused socket after the signal, and every worker exits cleanly', async () => {
    const slow = holdSlow();
    const { run, url, adminUrl } = await startGateway('workers: 2\nshutdown: { idle_grace: 5s }');
    try {
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => servedOnce(url)));
      const arrived = upstream.nextRequest();
      const inFlight = request(`${url}/api/alice/tasks/slow`, { headers: { authorization: `Bearer ${alice}` } });
      inFlight.catch(() => {}); // judged below; a failure before that must not go unhandled
      await arrived;

      run.child.kill('SIGTERM');
      await run.waitForLine(isShuttingDown);
      const ready = await request(`${adminUrl}/readyz`);
      expect(ready.statusCode).toBe(503);
      expect(await ready.body.json()).toMatchObject({ ready: false, draining: true });

      // A worker may get the request just before its own SIGTERM (the primary forwards it): then
      // the answer keeps the connection, and the drain half-closes it after the grace.
      await Promise.all(clients.map((conn) => conn.write(get(url, '/api/bob/tasks', bob))));
      for (const conn of clients) {
        await conn.waitFor((raw) => responsesIn(raw).length === 2);
        const second = responsesIn(conn.received())[1]!;
        expect(second.status).toBe(200);
        expect(second.body).toBe('[]');
      }

      slow.release();
      const res = await inFlight;
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe(SLOW_BODY);
      for (const conn of clients) {
        await conn.ended; // after Connection: close, or after the grace for an answer kept alive
        conn.end();
        await conn.closed;
        expect(conn.errorCode()).toBeUndefined();
      }
      expect(await run.exited).toBe(0);
    } finally {
      upstream.reset();
      run.child.kill('SIGKILL');
    }
  });
});
