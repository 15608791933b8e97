// Graceful shutdown, connection by connection: what a SIGTERM does to a keep-alive connection
// that pipelines, that stays idle, or that sends after the gateway's FIN. Never a reset, and
// never a request forwarded that could not be answered (serving/drain.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hs256Token } from '../support/hs256.js';
import { closeCleanly, isShuttingDown, rawGet, servedOnce, spawnListening } from '../support/keep-alive.js';
import { openRaw, responsesIn } from '../support/raw-http.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';

let upstream: RecordingUpstream;
let bob: string;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
  bob = await hs256Token('bob');
});
afterAll(async () => {
  await upstream?.close();
});

const CLIENTS = 6;

describe('SIGTERM, connection by connection (one process)', () => {
  it('answers requests pipelined after the signal, and only the last one closes the connection', async () => {
    upstream.reset();
    const { run, url } = await spawnListening(upstream, 'shutdown: { idle_grace: 5s }');
    try {
      const conn = await servedOnce(url, bob);
      run.child.kill('SIGTERM');
      await run.waitForLine(isShuttingDown);
      await conn.write(rawGet(url, '/api/bob/tasks/2', bob) + rawGet(url, '/api/bob/tasks/3', bob));
      await conn.ended;
      const answers = responsesIn(conn.received()).map((r) => [r.status, r.headers['connection'], JSON.parse(r.body).url]);
      expect(answers).toEqual([
        [200, 'keep-alive', '/api/bob/tasks'],
        [200, 'keep-alive', '/api/bob/tasks/2'],
        [200, 'close', '/api/bob/tasks/3'],
      ]);
      await closeCleanly(conn);
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('closes a keep-alive socket that sends nothing with a FIN after the grace, never a reset, and exits 0', async () => {
    const { run, url } = await spawnListening(upstream, '');
    try {
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => servedOnce(url, bob)));
      run.child.kill('SIGTERM');
      for (const conn of clients) {
        await conn.ended;
        await closeCleanly(conn);
        expect(responsesIn(conn.received())).toHaveLength(1);
      }
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('never forwards a request that arrives after its connection was half-closed', async () => {
    const { run, url } = await spawnListening(upstream, '');
    try {
      const conn = await openRaw(url, { allowHalfOpen: true });
      await conn.write(rawGet(url, '/api/bob/tasks', bob));
      await conn.waitFor((raw) => responsesIn(raw).length === 1);
      const before = upstream.requests.length;
      run.child.kill('SIGTERM');
      await conn.ended;
      // Our side is still open: the gateway reads what we send (no reset), but cannot answer it.
      await conn.write(rawGet(url, '/api/bob/tasks/late', bob));
      await closeCleanly(conn);
      expect(responsesIn(conn.received())).toHaveLength(1);
      expect(await run.exited).toBe(0);
      expect(upstream.requests.length).toBe(before);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
