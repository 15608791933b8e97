// observe/admin.ts: the admin port's probes and metrics, through fastify's inject.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAdminApp, type MetricsSource, type ReadinessChecks } from '../../src/observe/admin.js';
import type { PoolSnapshot } from '../../src/proxy/upstream-load.js';

const METRICS: MetricsSource = { contentType: 'text/plain; version=0.0.4; charset=utf-8', text: async () => '# HELP x y\nx 1\n' };

const built: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(built.splice(0).map((app) => app.close()));
});

type Probe = () => boolean | Promise<boolean>;
type Readiness = Partial<Record<keyof ReadinessChecks, Probe>>;
const READY: Record<keyof ReadinessChecks, Probe> = { keys: () => true, upstream: async () => true, upstream_capacity: () => true, revocations: () => true, store: () => true };
const ALL_TRUE = { keys: true, upstream: true, upstream_capacity: true, revocations: true, store: true };

function admin(readiness: Readiness = {}, metrics: MetricsSource = METRICS, pool?: PoolSnapshot): FastifyInstance {
  const probes = { ...READY, ...readiness };
  const app = buildAdminApp(metrics, async () => ({
    checks: {
      keys: await probes.keys(), upstream: await probes.upstream(), upstream_capacity: await probes.upstream_capacity(), revocations: await probes.revocations(), store: await probes.store(),
    },
    ...(pool ? { pool } : {}),
  }));
  built.push(app);
  return app;
}

describe('the admin app', () => {
  it('/healthz is 200 {"status":"ok"} whatever readiness says', async () => {
    const app = admin({ keys: () => false, upstream: async () => false });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 with both checks true when keys and upstream are ready (sync or async)', async () => {
    for (const keys of [() => true, async () => true]) {
      const res = await admin({ keys }).inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ready: true, checks: ALL_TRUE });
    }
  });

  it('/readyz is 503 naming the failing check when keys or upstream are not ready', async () => {
    const cases: Array<[Readiness, { keys: boolean; upstream: boolean }]> = [
      [{ keys: () => false }, { keys: false, upstream: true }],
      [{ keys: async () => false }, { keys: false, upstream: true }],
      [{ upstream: async () => false }, { keys: true, upstream: false }],
      [{ keys: () => false, upstream: async () => false }, { keys: false, upstream: false }],
    ];
    for (const [readiness, checks] of cases) {
      const res = await admin(readiness).inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode, JSON.stringify(checks)).toBe(503);
      expect(res.json()).toEqual({ ready: false, checks: { ...ALL_TRUE, ...checks } });
    }
  });

  it('/readyz is 503 when the upstream is reachable but its pool cannot take requests, and reports the saturation', async () => {
    const pool: PoolSnapshot = { connections: 4, inFlight: 9, busy: 4, free: 0, queued: 5, stalledMs: 6_000, consecutiveHeadTimeouts: 0, canTakeRequests: false };
    const res = await admin({ upstream_capacity: () => false }, METRICS, pool).inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      ready: false,
      checks: { ...ALL_TRUE, upstream_capacity: false },
      pool: { connections: 4, in_flight: 9, busy: 4, free: 0, queued: 5, stalled_ms: 6_000, consecutive_head_timeouts: 0 },
    });
    const excluded = await admin({ upstream_capacity: () => false }, METRICS, pool).inject({ method: 'GET', url: '/readyz?exclude=upstream_capacity' });
    expect(excluded.statusCode).toBe(200);
  });

  it('/readyz is 503 "draining" while the gateway shuts down, whatever the checks and whatever is excluded', async () => {
    const app = buildAdminApp(METRICS, async () => ({ checks: ALL_TRUE, draining: true }));
    built.push(app);
    for (const url of ['/readyz', `/readyz?${Object.keys(ALL_TRUE).map((name) => `exclude=${name}`).join('&')}`]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(503);
      expect(res.json()).toMatchObject({ ready: false, draining: true, checks: ALL_TRUE });
    }
  });

  it('/readyz asks again on every probe', async () => {
    let keys = false;
    const app = admin({ keys: () => keys });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    keys = true;
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('/metrics serves the source\'s text with its content type', async () => {
    const res = await admin().inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(METRICS.contentType);
    expect(res.body).toBe('# HELP x y\nx 1\n');
  });

  it('serves nothing else', async () => {
    const res = await admin().inject({ method: 'GET', url: '/api/alice/tasks' });
    expect(res.statusCode).toBe(404);
  });
});
