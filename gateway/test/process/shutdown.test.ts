// Graceful shutdown, end to end: a real `gateway` process, real keep-alive sockets, a real SIGTERM.
// Clients that already hold a connection send on it after the signal (the soak's 86 resets);
// requests in flight finish; nothing is reset; the process exits 0. What happens to each kind of
// connection on the way out (pipelined, idle, half-closed): shutdown-connections.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { hs256Token } from '../support/hs256.js';
import { closeCleanly, holdPath, isShuttingDown, rawGet, servedOnce, spawnListening } from '../support/keep-alive.js';
import { responsesIn } from '../support/raw-http.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';

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
const SLOW_PATH = '/api/alice/tasks/slow';
/** 64 KiB the slow in-flight answer must deliver whole. */
const SLOW_BODY = 'x'.repeat(64 * 1024);

/**
 * A gateway with CLIENTS keep-alive clients already answered once and one slow request in flight
 * (held upstream), then SIGTERM: returned once the drain has begun and /readyz says so.
 */
async function drainingWithClients(config: string) {
  const slow = holdPath(upstream, SLOW_PATH, SLOW_BODY);
  const started = await spawnListening(upstream, config);
  try {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => servedOnce(started.url, bob)));
    const arrived = upstream.nextRequest();
    const inFlight = request(`${started.url}${SLOW_PATH}`, { headers: { authorization: `Bearer ${alice}` } });
    inFlight.catch(() => {}); // judged by the test; a failure before that must not go unhandled
    await arrived;

    started.run.child.kill('SIGTERM');
    await started.run.waitForLine(isShuttingDown);
    // The load balancer is told at once; the admin port stays up while the drain runs.
    const ready = await request(`${started.adminUrl}/readyz`);
    expect(ready.statusCode).toBe(503);
    expect(await ready.body.json()).toMatchObject({ ready: false, draining: true });
    return { ...started, clients, inFlight, slow };
  } catch (error) {
    upstream.reset();
    started.run.child.kill('SIGKILL'); // the test's own finally never ran
    throw error;
  }
}

describe('SIGTERM with keep-alive clients (one process)', () => {
  it('answers every request sent on a reused socket after the signal, with Connection: close, and finishes the one in flight', async () => {
    const { run, url, clients, inFlight, slow } = await drainingWithClients('shutdown: { idle_grace: 5s }');
    try {
      // No new connection is taken.
      await expect(request(`${url}/api/bob/tasks`, { headers: { authorization: `Bearer ${bob}` } })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      await Promise.all(clients.map((conn) => conn.write(rawGet(url, '/api/bob/tasks', bob))));
      for (const conn of clients) {
        await conn.waitFor((raw) => responsesIn(raw).length === 2);
        const second = responsesIn(conn.received())[1]!;
        expect(second.status).toBe(200);
        expect(second.body).toBe('[]');
        expect(second.headers['connection']).toBe('close');
        await conn.ended; // the gateway's FIN after the answer; then ours
        await closeCleanly(conn);
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

  it('cuts a request still in flight at the deadline (limits.request_timeout), then exits 0', async () => {
    holdPath(upstream, SLOW_PATH, SLOW_BODY); // never released: the upstream would answer 504 only after upstream.timeout (2s)
    const { run, url } = await spawnListening(upstream, 'limits: { header_timeout: 500ms, request_timeout: 1s }');
    try {
      const arrived = upstream.nextRequest();
      const inFlight = request(`${url}${SLOW_PATH}`, { headers: { authorization: `Bearer ${alice}` } });
      inFlight.catch(() => {});
      await arrived;
      run.child.kill('SIGTERM');
      await expect(inFlight).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
      expect(await run.exited).toBe(0);
      expect(run.lines.some((l) => l['msg'] === 'shutdown deadline passed; closing remaining connections')).toBe(true);
    } finally {
      upstream.reset();
      run.child.kill('SIGKILL');
    }
  });
});

describe('SIGTERM with keep-alive clients (workers: 2)', () => {
  it('answers every request sent on a reused socket after the signal, and every worker exits cleanly', async () => {
    const { run, url, clients, inFlight, slow } = await drainingWithClients('workers: 2\nshutdown: { idle_grace: 5s }');
    try {
      // A worker may get the request just before its own SIGTERM (the primary forwards it): then
      // the answer keeps the connection, and the drain half-closes it after the grace.
      await Promise.all(clients.map((conn) => conn.write(rawGet(url, '/api/bob/tasks', bob))));
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
        await closeCleanly(conn);
      }
      expect(await run.exited).toBe(0);
    } finally {
      upstream.reset();
      run.child.kill('SIGKILL');
    }
  });
});
