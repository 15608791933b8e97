// The Redis store against a real redis-server (127.0.0.1, random port, no persistence).
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationList } from '../../src/pipeline/revocation/index.js';
import { createRedisClient, REDIS_KEYS, RedisRevocationStore, StoreUnavailableError, syncReplica, toJson, type Revocation, type StoreEvent } from '../../src/store/index.js';
import { eventually } from '../support/free-port.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

let redis: RedisServer;
let raw: Redis;
beforeAll(async () => {
  redis = await startRedisServer();
  raw = createRedisClient(redis.url, { enableOfflineQueue: true });
  raw.on('error', () => undefined);
});
afterAll(async () => {
  raw?.disconnect();
  await redis?.stop();
});

const open: RedisRevocationStore[] = [];
async function store(retentionMs = 3_600_000): Promise<RedisRevocationStore> {
  const s = new RedisRevocationStore({ url: redis.url, retentionMs });
  open.push(s);
  await eventually(() => s.up(), { timeoutMs: 5_000, what: 'store up' });
  return s;
}
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

const jtiOf = (value: string) => ({ subject: 'x', claims: { jti: value }, issuer: 'i', expiresAtMs: 0 });

describe('RedisRevocationStore', () => {
  it('stores entries as TTL keys plus an index, lists and removes them', async () => {
    const s = await store(60_000);
    const entry = await s.add({ kind: 'jti', value: 'stored-1' });
    const ttl = await raw.pttl(REDIS_KEYS.entryPrefix + entry.id);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(JSON.parse((await raw.get(REDIS_KEYS.entryPrefix + entry.id))!)).toEqual(toJson(entry));
    expect(await raw.sismember(REDIS_KEYS.index, entry.id)).toBe(1);
    expect((await s.list()).map((e) => e.id)).toContain(entry.id);
    expect(await s.remove(entry.id)).toBe(true);
    expect(await s.remove(entry.id)).toBe(false);
    expect(await raw.exists(REDIS_KEYS.entryPrefix + entry.id)).toBe(0);
    expect((await s.list()).map((e) => e.id)).not.toContain(entry.id);
  });

  it('forgets an entry when Redis expires its key, and prunes the index on load', async () => {
    const s = await store();
    const entry = await s.add({ kind: 'sid', value: 'short-lived' });
    await raw.pexpire(REDIS_KEYS.entryPrefix + entry.id, 1);
    await eventually(async () => (await raw.exists(REDIS_KEYS.entryPrefix + entry.id)) === 0, { timeoutMs: 2_000, what: 'key expired' });
    expect((await s.list()).map((e) => e.id)).not.toContain(entry.id);
    expect(await raw.sismember(REDIS_KEYS.index, entry.id)).toBe(0);
  });

  it('a change on one store reaches another store\'s subscribers through pub/sub', async () => {
    const [writer, reader] = [await store(), await store()];
    const seen: StoreEvent[] = [];
    reader.subscribe((e) => seen.push(e));
    const entry = await writer.add({ kind: 'jti', value: 'published' });
    await eventually(() => seen.some((e) => e.type === 'added' && e.entry.id === entry.id), { timeoutMs: 1_000, what: 'added event' });
    await writer.remove(entry.id);
    await eventually(() => seen.some((e) => e.type === 'removed' && e.id === entry.id), { timeoutMs: 1_000, what: 'removed event' });
  });

  it('the periodic resync heals a change whose message was missed', async () => {
    const s = await store();
    const list = new RevocationList();
    const sync = syncReplica(s, list, { resyncEveryMs: 100 });
    await sync.start();
    // Written the way a store writes it, but with no message published.
    const entry = await (await store()).add({ kind: 'jti', value: 'placeholder' });
    const missed: Revocation = { ...entry, id: '00000000-0000-4000-8000-00000000beef', value: 'missed-message' };
    await raw.multi().set(REDIS_KEYS.entryPrefix + missed.id, JSON.stringify(toJson(missed)), 'PX', 60_000).sadd(REDIS_KEYS.index, missed.id).exec();
    await eventually(() => list.check(jtiOf('missed-message')) !== undefined, { timeoutMs: 2_000, what: 'resync picked it up' });
    sync.close();
  });

  it('Redis down: writes reject at once (never claimed), the replica keeps enforcing; back up: resync, and what Redis lost is written back', async () => {
    const s = await store();
    const list = new RevocationList();
    const sync = syncReplica(s, list);
    await sync.start();
    const known = await s.add({ kind: 'jti', value: 'known-before-outage' });
    expect(list.check(jtiOf('known-before-outage'))?.reason).toBe('token_revoked');

    await redis.stop();
    await eventually(() => !s.up(), { timeoutMs: 2_000, what: 'store down' });
    const started = performance.now();
    await expect(s.add({ kind: 'jti', value: 'during-outage' })).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(s.remove(known.id)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(performance.now() - started).toBeLessThan(500);
    // A load waits briefly for the connection, then fails too.
    await expect(s.list()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await sync.resync()).toBe(false);
    expect(list.check(jtiOf('known-before-outage'))?.reason).toBe('token_revoked');

    // Restarted without persistence: empty. The replica writes back what it knew.
    await redis.restart();
    await eventually(() => s.up(), { timeoutMs: 5_000, what: 'store up again' });
    await eventually(async () => (await raw.exists(REDIS_KEYS.entryPrefix + known.id).catch(() => 0)) === 1, { timeoutMs: 3_000, what: 'entry written back' });
    expect(list.check(jtiOf('known-before-outage'))?.reason).toBe('token_revoked');
    const fresh = await store();
    expect((await fresh.list()).map((e) => e.id)).toContain(known.id);
    expect(await s.add({ kind: 'jti', value: 'after-outage' })).toMatchObject({ value: 'after-outage' });
    sync.close();
  });
});
