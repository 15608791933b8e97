// A worker of `workers: 2` dies (SIGKILL, as a crash or the OOM killer) or is stopped on its own
// (SIGTERM), or freezes (SIGSTOP): the primary's counters never go down (it keeps what the dead
// worker reported), and /readyz stays 200 while the other worker serves, reporting the cluster
// as degraded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { readiness } from '../support/admin-api.js';
import { eventually } from '../support/eventually.js';
import { hs256Config, testEnv } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { metricReaches, metricValue, sampleValue, scrape } from '../support/metrics.js';
import { childPids } from '../support/process-tree.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';
import { spawnGateway, writeTempConfig, type SpawnedGateway } from '../support/spawn-gateway.js';

const OK = { route: '/api/:user_id/tasks', status: '200' };

let upstream: RecordingUpstream;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
});
afterAll(async () => {
  await upstream?.close();
});

interface Workers {
  readonly expected: number;
  readonly alive: number;
  readonly ready: number;
}

async function clusterReadiness(adminUrl: string): Promise<{ status: number; workers: Workers }> {
  const { status, body } = await readiness(adminUrl);
  return { status, workers: (body as unknown as { workers: Workers }).workers };
}

/** `n` requests, each on a new connection: the cluster hands new connections to its workers in turn. */
async function send(url: string, n: number): Promise<number[]> {
  const token = await hs256Token('alice');
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await request(`${url}/api/alice/tasks`, { headers: { authorization: `Bearer ${token}`, connection: 'close' } });
    await res.body.dump();
    statuses.push(res.statusCode);
  }
  return statuses;
}

async function startCluster(): Promise<{ run: SpawnedGateway; url: string; adminUrl: string; workers: number[] }> {
  const run = spawnGateway(['--config', writeTempConfig(hs256Config(upstream.url, 'workers: 2\nlog_level: warn\n'))], testEnv);
  const { url, admin_url: adminUrl } = (await run.waitForLine((l) => l['msg'] === 'listening')) as { url: string; admin_url: string };
  await eventually(() => clusterReadiness(adminUrl), (r) => r.status === 200 && r.workers.ready === 2);
  const workers = childPids(run.child.pid!);
  expect(workers).toHaveLength(2);
  return { run, url, adminUrl, workers };
}

/** Until the primary has forked a replacement for `dead` and it answers ready. */
async function replaced(run: SpawnedGateway, adminUrl: string, dead: number, whileWaiting: () => Promise<void> = async () => {}): Promise<void> {
  await eventually(
    async () => {
      await whileWaiting();
      const pids = childPids(run.child.pid!);
      return pids.length === 2 && !pids.includes(dead) && (await clusterReadiness(adminUrl)).workers.ready === 2;
    },
    (done) => done,
    15_000,
  );
}

describe('workers: 2, one worker dies', () => {
  it('SIGKILL: counters keep what the dead worker counted, /readyz stays 200 (1 of 2 ready) and requests succeed', async () => {
    const { run, url, adminUrl, workers } = await startCluster();
    try {
      expect(await send(url, 10)).toEqual(Array(10).fill(200));
      const before = await metricReaches(adminUrl, 'gateway_requests_total', OK, 10);
      const durations = sampleValue(await scrape(adminUrl), 'gateway_request_duration_seconds_count', { route: OK.route });
      expect(durations).toBe(10);

      process.kill(workers[0]!, 'SIGKILL');
      const right = await clusterReadiness(adminUrl);
      expect(right.status).toBe(200);
      expect(right.workers).toMatchObject({ expected: 2, ready: 1 });
      expect(await send(url, 4)).toEqual(Array(4).fill(200)); // the other worker serves them

      let lowest = Infinity;
      await replaced(run, adminUrl, workers[0]!, async () => {
        const samples = await scrape(adminUrl);
        lowest = Math.min(lowest, sampleValue(samples, 'gateway_requests_total', OK));
        expect(sampleValue(samples, 'gateway_request_duration_seconds_count', { route: OK.route })).toBeGreaterThanOrEqual(durations);
      });
      expect(lowest).toBeGreaterThanOrEqual(before);
      // Nothing lost: the last scrape before the kill had the dead worker's 5.
      const after = await metricReaches(adminUrl, 'gateway_requests_total', OK, before + 4);

      expect(await send(url, 6)).toEqual(Array(6).fill(200));
      expect(await metricReaches(adminUrl, 'gateway_requests_total', OK, after + 6)).toBe(after + 6);
      expect(run.lines.some((l) => l['msg'] === 'worker exited unexpectedly; starting a replacement' && l['signal'] === 'SIGKILL')).toBe(true);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
  });

  it('SIGSTOP (a worker frozen: alive, silent): /readyz is 200 once the time-out passes, with 1 of 2 ready; /metrics uses its last report', async () => {
    const { run, url, adminUrl, workers } = await startCluster();
    try {
      expect(await send(url, 10)).toEqual(Array(10).fill(200));
      await metricReaches(adminUrl, 'gateway_requests_total', OK, 10);
      process.kill(workers[0]!, 'SIGSTOP');
      const frozen = await clusterReadiness(adminUrl);
      expect(frozen).toEqual({ status: 200, workers: { expected: 2, alive: 2, ready: 1 } });
      expect(await metricValue(adminUrl, 'gateway_requests_total', OK)).toBe(10);
      process.kill(workers[0]!, 'SIGCONT');
      await eventually(() => clusterReadiness(adminUrl), (r) => r.workers.ready === 2);
    } finally {
      process.kill(workers[0]!, 'SIGCONT');
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
  });

  it('SIGTERM to one worker: it reports its counts on the way out, so none is lost', async () => {
    const { run, url, adminUrl, workers } = await startCluster();
    try {
      expect(await send(url, 10)).toEqual(Array(10).fill(200));
      // No scrape in between: only the worker's last report carries its share.
      process.kill(workers[1]!, 'SIGTERM');
      await replaced(run, adminUrl, workers[1]!);
      expect(await metricValue(adminUrl, 'gateway_requests_total', OK)).toBe(10);
      // A clean exit (0) is not logged as a crash.
      expect(run.lines.some((l) => l['msg'] === 'worker stopped on a signal of its own; starting a replacement' && l['code'] === 0)).toBe(true);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
    expect(run.lines.filter((l) => l['msg'] === 'worker exited unexpectedly; starting a replacement')).toEqual([]);
  });
});
