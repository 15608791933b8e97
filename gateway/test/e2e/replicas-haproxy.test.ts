// THE MULTI-REPLICA TEST: three gateway processes (the real bin) sharing one real redis-server,
// behind a real haproxy whose health checks hit each replica's /readyz?exclude=store.
//  - a revocation posted to one replica is enforced by all three within 1 s (cached tokens too);
//  - SIGKILL of one replica under bounded keep-alive load loses no accepted request: each got
//    its upstream answer or an error the client saw, and the upstream saw each at most once
//    (exactly once for every answered one);
//  - one subject's rate budget is ONE budget across the three (counted in Redis): requests spread
//    by haproxy over every replica exhaust it together, and the next one is 429 on each replica;
//  - Redis killed: known revocations stay enforced, writes 503, traffic keeps flowing (rate limits
//    counted by each replica on its own meanwhile); Redis restarted (empty): the replicas write
//    back what they knew, and new writes work again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool, request } from 'undici';
import { adminCall, revoke } from '../support/admin-api.js';
import { eventually } from '../support/free-port.js';
import { hs256Token } from '../support/hs256.js';
import { sampleValue, scrape } from '../support/metrics.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';
import { startReplicaSet, type Replica, type ReplicaSet } from '../support/replicas.js';

/** Per subject and minute: above what any other test here sends as one subject (300 POSTs by bob). */
const RATE_BUDGET = 400;

let upstream: RecordingUpstream;
let set: ReplicaSet;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
  set = await startReplicaSet({ count: 3, upstreamUrl: upstream.url, extraYaml: `rate_limit: { requests: ${RATE_BUDGET}, per: 1m }` });
}, 60_000);

/** Requests answered 200 on /api/:user_id/tasks by one replica so far. */
async function servedBy(replica: Replica): Promise<number> {
  return sampleValue(await scrape(replica.adminUrl), 'gateway_requests_total', { route: '/api/:user_id/tasks', status: '200' });
}
afterAll(async () => {
  await set?.close();
  await upstream?.close();
});

async function reasonAt(baseUrl: string, subject: string, token: string): Promise<number | string> {
  const res = await request(`${baseUrl}/api/${subject}/tasks`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.body.text();
  return res.statusCode === 200 ? 200 : ((JSON.parse(text) as { reason?: string }).reason ?? res.statusCode);
}

/** Polls every replica directly until it refuses `token`; returns ms from `since` per replica. */
async function enforcedEverywhere(replicas: readonly Replica[], subject: string, token: string, since: number): Promise<number[]> {
  return Promise.all(
    replicas.map(async (replica) => {
      await eventually(async () => (await reasonAt(replica.url, subject, token)) === 'token_revoked', { timeoutMs: 1_000, what: `${replica.name} enforces the revocation` });
      return performance.now() - since;
    }),
  );
}

describe('three replicas behind haproxy, one Redis', () => {
  it('a revocation posted to one replica is enforced by all three within 1 s, cached tokens included', async () => {
    const token = await hs256Token('alice');
    for (const replica of set.replicas) expect(await reasonAt(replica.url, 'alice', token)).toBe(200); // now cached on each
    expect(await reasonAt(set.haproxy.url, 'alice', token)).toBe(200);

    await revoke(set.replicas[0]!.adminUrl, { sub: 'alice' });
    const posted = performance.now();
    const took = await enforcedEverywhere(set.replicas, 'alice', token, posted);
    for (const ms of took) expect(ms).toBeLessThan(1_000);
    for (let i = 0; i < 3; i++) expect(await reasonAt(set.haproxy.url, 'alice', token)).toBe('token_revoked');
  });

  it('ACROSS_REPLICAS_ONE_RATE_BUDGET: one subject\'s rate budget is shared by every replica', async () => {
    const token = await hs256Token('carol');
    const before = await Promise.all(set.replicas.map(servedBy));
    const pool = new Pool(set.haproxy.url, { connections: 4 });
    const statuses: number[] = [];
    let sent = 0;
    const client = async () => {
      while (sent < RATE_BUDGET) {
        sent++;
        const res = await pool.request({ method: 'GET', path: '/api/carol/tasks', headers: { authorization: `Bearer ${token}` } });
        await res.body.dump();
        statuses.push(res.statusCode);
      }
    };
    try {
      await Promise.all(Array.from({ length: 4 }, client));
    } finally {
      await pool.close();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_BUDGET);
    // haproxy spread them: every replica counted its part of the one budget.
    const served = await Promise.all(set.replicas.map(async (replica, i) => (await servedBy(replica)) - before[i]!));
    for (const n of served) expect(n).toBeGreaterThan(RATE_BUDGET / 6);
    expect(served.reduce((a, b) => a + b, 0)).toBe(RATE_BUDGET);
    // The next request is refused by each replica, whichever haproxy would have picked.
    for (const replica of set.replicas) {
      const res = await request(`${replica.url}/api/carol/tasks`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.body.json()) as { reason?: string };
      expect(res.statusCode).toBe(429);
      expect(body.reason).toBe('rate_limited');
      expect(res.headers['ratelimit-policy']).toBe(`"default";q=${RATE_BUDGET};w=60`);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(upstream.requests.filter((r) => r.url === '/api/carol/tasks')).toHaveLength(RATE_BUDGET);
  }, 60_000);

  it('SIGKILL of one replica under keep-alive load loses no accepted request, and the upstream sees none twice', async () => {
    const token = await hs256Token('bob');
    const total = 300;
    const concurrency = 6;
    const killAfter = 100;
    const victim = set.replicas[2]!;
    const pool = new Pool(set.haproxy.url, { connections: concurrency, headersTimeout: 5_000, bodyTimeout: 5_000 });
    const results = new Map<string, number | string>();
    upstream.reset();
    let next = 0;
    let killed: Promise<void> | undefined;
    const client = async () => {
      while (next < total) {
        const id = `load-${next++}`;
        if (results.size >= killAfter && killed === undefined) killed = set.kill(victim);
        try {
          const res = await pool.request({ method: 'POST', path: '/api/bob/tasks', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify({ title: id }) });
          await res.body.text();
          results.set(id, res.statusCode);
        } catch (error) {
          results.set(id, (error as NodeJS.ErrnoException).code ?? 'error');
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: concurrency }, client));
    } finally {
      await pool.close();
    }
    await killed;
    expect(results.size).toBe(total);

    const seen = new Map<string, number>();
    for (const r of upstream.requests) {
      const id = r.headers['x-request-id'] as string;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    const ok = [...results].filter(([, s]) => s === 200);
    const failed = [...results].filter(([, s]) => s !== 200);
    // Every answered request reached the upstream exactly once; nothing reached it twice.
    for (const [id] of ok) expect(seen.get(id), id).toBe(1);
    for (const [id, n] of seen) {
      expect(n, id).toBe(1);
      expect(results.has(id), id).toBe(true);
    }
    // Only requests in flight on the victim can fail, and they failed visibly (a 502/503 or a socket error).
    expect(failed.length, JSON.stringify(failed)).toBeLessThanOrEqual(concurrency * 2);
    for (const [, s] of failed) expect(s === 502 || s === 503 || typeof s === 'string', String(s)).toBe(true);
    // Traffic kept flowing to the survivors.
    const tail = [...results.keys()].slice(-50);
    for (const id of tail) expect(results.get(id), id).toBe(200);
    await set.haproxy.waitForStatus(victim.name, 'DOWN');
  }, 60_000);

  it('Redis killed: revocations stay enforced, writes 503, traffic flows; Redis restarted: healed', async () => {
    const survivors = set.replicas.filter((r) => r.process.child.exitCode === null && r.process.child.signalCode === null);
    expect(survivors).toHaveLength(2);
    const alice = await hs256Token('alice', { iat: Math.floor(Date.now() / 1000) - 60 });
    const dave = await hs256Token('dave');

    await set.redis.stop();
    await eventually(async () => (await adminCall(survivors[0]!.adminUrl, 'POST', '/revocations', { sub: 'dave' })).status === 503, { timeoutMs: 3_000, what: 'writes refused while Redis is down' });
    for (const replica of survivors) {
      expect(await reasonAt(replica.url, 'alice', alice)).toBe('token_revoked');
      expect((await adminCall(replica.adminUrl, 'POST', '/revocations', { sub: 'dave' })).status).toBe(503);
    }
    for (let i = 0; i < 6; i++) {
      expect(await reasonAt(set.haproxy.url, 'dave', dave)).toBe(200);
      expect(await reasonAt(set.haproxy.url, 'alice', alice)).toBe('token_revoked');
    }
    const status = await set.haproxy.serverStatus();
    for (const replica of survivors) expect(status[replica.name]).toBe('UP');
    // Meanwhile each replica counts rate limits against its own in-memory budget, and says so.
    for (const replica of survivors) {
      expect(await reasonAt(replica.url, 'dave', dave)).toBe(200);
      expect(sampleValue(await scrape(replica.adminUrl), 'gateway_rate_limit_store_fallbacks_total')).toBeGreaterThan(0);
    }

    await set.redis.restart();
    for (const replica of survivors) {
      await eventually(async () => (await request(`${replica.adminUrl}/readyz`).then(async (r) => (await r.body.dump(), r.statusCode))) === 200, { timeoutMs: 5_000, what: `${replica.name} ready with the store` });
    }
    await revoke(survivors[1]!.adminUrl, { sub: 'dave' });
    const took = await enforcedEverywhere(survivors, 'dave', dave, performance.now());
    for (const ms of took) expect(ms).toBeLessThan(1_000);
    for (const replica of survivors) expect(await reasonAt(replica.url, 'alice', alice)).toBe('token_revoked');
    // The empty Redis got back what the replicas knew.
    const listed = (await adminCall(survivors[0]!.adminUrl, 'GET', '/revocations')).body.revocations as Array<{ sub?: string }>;
    expect(listed.map((e) => e.sub)).toEqual(expect.arrayContaining(['alice', 'dave']));
  }, 60_000);
});
