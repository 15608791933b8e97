// THREATS family 11 with two gateways sharing one real redis-server: a revocation posted to one
// is enforced by the other within 1 s (cached tokens too), and a Redis outage never turns into
// accepting a revocation that was already known.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { adminCall, adminEnv, metricValue, readiness, revoke, withAdminToken } from '../support/admin-api.js';
import { eventually } from '../support/free-port.js';
import { hs256Config, startTestGateway, type TestGateway } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

let redis: RedisServer;
let upstream: RecordingUpstream;
let one: TestGateway;
let two: TestGateway;

beforeAll(async () => {
  redis = await startRedisServer();
  upstream = await startRecordingUpstream();
  const yaml = withAdminToken(hs256Config(upstream.url, 'store:\n  redis_url: ${REDIS_URL}\n'));
  [one, two] = await Promise.all([startTestGateway(yaml, { ...adminEnv, REDIS_URL: redis.url }), startTestGateway(yaml, { ...adminEnv, REDIS_URL: redis.url })]);
});
afterAll(async () => {
  await Promise.allSettled([one?.close(), two?.close()]);
  await upstream?.close();
  await redis?.stop();
});

async function status(gateway: TestGateway, subject: string, token: string): Promise<number | string> {
  const res = await request(`${gateway.url}/api/${subject}/tasks`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.body.text();
  return res.statusCode === 200 ? 200 : (JSON.parse(text) as { reason: string }).reason;
}

describe('two gateways, one Redis', () => {
  it('both are ready only with the store, and report it up', async () => {
    for (const gateway of [one, two]) {
      const ready = await readiness(gateway.adminUrl);
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toMatchObject({ revocations: true, store: true });
      expect(await metricValue(gateway.adminUrl, 'gateway_store_up')).toBe(1);
    }
  });

  it('a revocation posted to one is enforced by the other within 1 s, on a cached token', async () => {
    const token = await hs256Token('alice');
    expect(await status(two, 'alice', token)).toBe(200); // cached on two from now on
    const entry = await revoke(one.adminUrl, { sub: 'alice' });
    const took = await eventually(async () => (await status(two, 'alice', token)) === 'token_revoked', { timeoutMs: 1_000, what: 'gateway two enforces the revocation' });
    expect(took).toBeLessThan(1_000);
    expect(await status(one, 'alice', token)).toBe('token_revoked');
    // And both list it.
    for (const gateway of [one, two]) expect((await adminCall(gateway.adminUrl, 'GET', '/revocations')).body.revocations).toContainEqual(entry);
    // Removing it on two lets the token back in on one.
    expect((await adminCall(two.adminUrl, 'DELETE', `/revocations/${entry.id}`)).status).toBe(204);
    await eventually(async () => (await status(one, 'alice', token)) === 200, { timeoutMs: 1_000, what: 'gateway one drops the revocation' });
  });

  it('Redis down: known revocations still enforced, writes 503, /readyz false on store, store_up 0, requests keep flowing; Redis back: healed', async () => {
    const bob = await hs256Token('bob', { jti: 'bob-token-1' });
    const carol = await hs256Token('carol');
    await revoke(one.adminUrl, { jti: 'bob-token-1' });
    await eventually(async () => (await status(two, 'bob', bob)) === 'token_revoked', { timeoutMs: 1_000, what: 'two knows the jti' });

    await redis.stop();
    await eventually(async () => (await metricValue(two.adminUrl, 'gateway_store_up')) === 0, { timeoutMs: 3_000, what: 'store_up 0' });
    for (const gateway of [one, two]) {
      expect(await status(gateway, 'bob', bob)).toBe('token_revoked');
      expect(await status(gateway, 'carol', carol)).toBe(200);
      const post = await adminCall(gateway.adminUrl, 'POST', '/revocations', { sub: 'carol' });
      expect(post.status).toBe(503);
      expect(post.body).toMatchObject({ error: 'unavailable', reason: 'store_unavailable' });
      expect(post.headers['retry-after']).toBe('1');
      expect((await adminCall(gateway.adminUrl, 'DELETE', '/revocations/00000000-0000-4000-8000-000000000000')).status).toBe(503);
      const ready = await readiness(gateway.adminUrl);
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toMatchObject({ store: false, revocations: true, keys: true });
      // A load balancer told to leave the store out keeps the replica in rotation.
      expect((await readiness(gateway.adminUrl, '?exclude=store')).status).toBe(200);
    }
    expect(await metricValue(one.adminUrl, 'gateway_store_up')).toBe(0);
    // The refused POST was never stored anywhere: carol still gets in.
    expect(await status(one, 'carol', carol)).toBe(200);

    await redis.restart();
    for (const gateway of [one, two]) {
      await eventually(async () => (await readiness(gateway.adminUrl)).status === 200, { timeoutMs: 5_000, what: 'ready again' });
      expect(await metricValue(gateway.adminUrl, 'gateway_store_up')).toBe(1);
    }
    // Redis came back empty: the entries the replicas knew were written back.
    const listed = (await adminCall(two.adminUrl, 'GET', '/revocations')).body.revocations as Array<{ jti?: string }>;
    expect(listed.some((e) => e.jti === 'bob-token-1')).toBe(true);
    await revoke(two.adminUrl, { sub: 'carol' });
    await eventually(async () => (await status(one, 'carol', carol)) === 'token_revoked', { timeoutMs: 1_000, what: 'one enforces a revocation posted after the outage' });
    expect(await status(one, 'bob', bob)).toBe('token_revoked');
  });
});
