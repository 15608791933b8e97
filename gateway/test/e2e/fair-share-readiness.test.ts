// THREATS.md family 10 — /readyz must see an upstream that accepts connections but cannot take
// requests (every pooled connection stuck, or frozen like a SIGSTOPped process): TCP still
// connects, so `upstream` stays true, but `upstream_capacity` turns false and the pool report
// shows the saturation; the in-flight gauges show it too. Both recover without a restart.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { hs256Config } from '../support/gateway.js';
import { startHeldUpstream } from '../support/held-upstream.js';
import { hs256Token } from '../support/hs256.js';
import { metricReaches, metricValue } from '../support/metrics.js';
import { useServer, withGateway } from '../support/suite.js';

const upstream = useServer(startHeldUpstream, 'the held upstream');
afterEach(() => upstream.releaseAll());
const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((sub) => hs256Token(sub)));

interface ReadyBody {
  ready: boolean;
  checks: Record<string, boolean>;
  pool: { connections: number; in_flight: number; busy: number; free: number; queued: number; stalled_ms: number; consecutive_head_timeouts: number };
}

async function readyz(adminUrl: string, query = ''): Promise<{ status: number; body: ReadyBody }> {
  const res = await request(`${adminUrl}/readyz${query}`);
  return { status: res.statusCode, body: (await res.body.json()) as ReadyBody };
}

const get = (baseUrl: string, subject: string, token: string) =>
  request(`${baseUrl}/api/${subject}/tasks`, { headers: { authorization: `Bearer ${token}` } }).then(async (res) => (await res.body.dump(), res.statusCode));

describe('/readyz and a saturated pool', () => {
  it('turns false while requests queue with no connection freeing up, reports the pool, and recovers', async () => {
    // Two connections, one per subject: alice and bob hold both, carol queues behind them.
    const yaml = hs256Config(upstream.url).replace('timeout: 2s', 'timeout: 4s\n  connections: 2');
    await withGateway(yaml, async (gateway) => {
      const pool = upstream.url;
      expect((await readyz(gateway.adminUrl)).status).toBe(200);
      const held = [get(gateway.url, 'alice', alice), get(gateway.url, 'bob', bob)];
      await upstream.heldCount(2);
      const queued = get(gateway.url, 'carol', carol);

      // Polled with a deadline: a queue counts as stuck after half of upstream.timeout (2 s) without a dispatch.
      const stuck = await eventually(() => readyz(gateway.adminUrl), (r) => r.status === 503, 3_500);
      expect(stuck.body.checks).toMatchObject({ upstream: true, upstream_capacity: false, keys: true });
      expect(stuck.body.pool).toMatchObject({ connections: 2, in_flight: 3, busy: 2, free: 0, queued: 1, consecutive_head_timeouts: 0 });
      expect(stuck.body.pool.stalled_ms).toBeGreaterThanOrEqual(2_000);
      // A probe that wants only reachability can still leave the capacity check out.
      expect((await readyz(gateway.adminUrl, '?exclude=upstream_capacity')).status).toBe(200);
      expect(await metricValue(gateway.adminUrl, 'gateway_upstream_in_flight', { pool })).toBe(3);
      expect(await metricValue(gateway.adminUrl, 'gateway_upstream_queued', { pool })).toBe(1);
      expect(await metricValue(gateway.adminUrl, 'gateway_upstream_connections_busy', { pool })).toBe(2);

      upstream.releaseAll();
      expect(await Promise.all(held)).toEqual([200, 200]);
      await upstream.heldCount(1); // carol got a connection
      upstream.releaseAll();
      expect(await queued).toBe(200);
      const recovered = await readyz(gateway.adminUrl);
      expect(recovered.status).toBe(200);
      expect(recovered.body.pool).toMatchObject({ in_flight: 0, busy: 0, free: 2, queued: 0 });
      await metricReaches(gateway.adminUrl, 'gateway_upstream_in_flight', { pool }, 0);
    });
  });

  it('turns false after a run of forwards that got no response head in time (a frozen upstream), and true at the next head', async () => {
    const yaml = hs256Config(upstream.url).replace('timeout: 2s', 'timeout: 200ms');
    await withGateway(yaml, async (gateway) => {
      const before = await metricValue(gateway.adminUrl, 'gateway_timeouts_total', { kind: 'upstream_head' });
      for (let i = 0; i < 5; i++) expect(await get(gateway.url, 'alice', alice)).toBe(504);
      const frozen = await readyz(gateway.adminUrl);
      expect(frozen.status).toBe(503);
      expect(frozen.body.checks).toMatchObject({ upstream: true, upstream_capacity: false });
      expect(frozen.body.pool.consecutive_head_timeouts).toBe(5);
      await metricReaches(gateway.adminUrl, 'gateway_timeouts_total', { kind: 'upstream_head' }, before + 5);

      upstream.answerAtOnce('/api/bob/');
      expect(await get(gateway.url, 'bob', bob)).toBe(200);
      const thawed = await readyz(gateway.adminUrl);
      expect(thawed.status).toBe(200);
      expect(thawed.body.pool.consecutive_head_timeouts).toBe(0);
    });
  });
});
