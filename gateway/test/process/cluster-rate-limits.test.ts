// Rate limits with `workers: 2`: one budget for the whole cluster, never one per worker — counted
// by the primary over IPC without a store, in Redis with one. The primary's /readyz sums the
// workers' pools.
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { readiness } from '../support/admin-api.js';
import { eventually } from '../support/free-port.js';
import { hs256Config, testEnv } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { useRedis, useUpstream } from '../support/suite.js';
import { spawnGateway, writeTempConfig } from '../support/spawn-gateway.js';

const BUDGET = 6;

const upstream = useUpstream();
const redis = useRedis();

/** One request on a new connection: the cluster hands new connections to its workers in turn. */
async function status(url: string, token: string): Promise<number> {
  const res = await request(`${url}/api/alice/tasks`, { headers: { authorization: `Bearer ${token}`, connection: 'close' } });
  await res.body.dump();
  return res.statusCode;
}

describe.each([
  ['without a store (the primary counts)', ''],
  ['with Redis (every worker counts in Redis)', 'store:\n  redis_url: ${REDIS_URL}\n'],
])('workers: 2 %s', (_name, storeYaml) => {
  it('share one budget: the request after it is 429 whichever worker takes it', async () => {
    const yaml = hs256Config(upstream.url, `workers: 2\nlog_level: warn\nrate_limit: { requests: ${BUDGET}, per: 1m }\n${storeYaml}`);
    const run = spawnGateway(['--config', writeTempConfig(yaml)], { ...testEnv, REDIS_URL: redis.url });
    try {
      const { url, admin_url: adminUrl } = (await run.waitForLine((l) => l['msg'] === 'listening')) as { url: string; admin_url: string };
      await eventually(async () => (await readiness(adminUrl)).status === 200, { timeoutMs: 5_000, what: 'cluster ready' });
      const ready = (await readiness(adminUrl)).body as { checks: Record<string, boolean>; pool: { connections: number; free: number } };
      expect(ready.checks['upstream_capacity']).toBe(true);
      expect(ready.pool).toMatchObject({ connections: 128, free: 128 }); // 64 per worker, summed

      const token = await hs256Token('alice');
      const statuses: number[] = [];
      for (let i = 0; i < BUDGET + 2; i++) statuses.push(await status(url, token));
      // Per worker, the budget would have allowed all of them.
      expect(statuses).toEqual([...Array<number>(BUDGET).fill(200), 429, 429]);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
  });
});
