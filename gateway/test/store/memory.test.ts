import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRevocationStore } from '../../src/store/memory.js';
import { fromJson, toJson } from '../../src/store/revocation.js';
import type { StoreEvent } from '../../src/store/types.js';

const stores: MemoryRevocationStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

function memoryStore(retentionMs: number, now: () => number) {
  const store = new MemoryRevocationStore({ retentionMs, now });
  stores.push(store);
  return store;
}

describe('the memory store', () => {
  it('adds entries with an id and their times, lists them, removes them, and tells subscribers', async () => {
    let now = Date.parse('2026-11-25T18:00:00.000Z');
    const store = memoryStore(3_600_000, () => now);
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));

    const sub = await store.add({ kind: 'sub', value: 'alice' });
    expect(toJson(sub)).toEqual({ id: sub.id, sub: 'alice', before: '2026-11-25T18:00:00.000Z', created_at: '2026-11-25T18:00:00.000Z', expires_at: '2026-11-25T19:00:00.000Z' });
    now += 1;
    const jti = await store.add({ kind: 'jti', value: 't-1' });
    expect(toJson(jti)).not.toHaveProperty('before');
    expect((await store.list()).map((e) => e.id)).toEqual([sub.id, jti.id]);

    expect(await store.remove(sub.id)).toBe(true);
    expect(await store.remove(sub.id)).toBe(false);
    expect((await store.list()).map((e) => e.id)).toEqual([jti.id]);
    expect(events).toEqual([
      { type: 'added', entry: sub },
      { type: 'added', entry: jti },
      { type: 'removed', id: sub.id },
    ]);
    expect(store.up()).toBe(true);
  });

  it('forgets an entry once its retention has passed', async () => {
    let now = 1_000_000;
    const store = memoryStore(60_000, () => now);
    await store.add({ kind: 'sid', value: 's' });
    now += 59_999;
    expect(await store.list()).toHaveLength(1);
    now += 1;
    expect(await store.list()).toHaveLength(0);
    expect(store.size).toBe(0);
  });

  it('the JSON form reads back to the same entry, and nothing else reads back at all', async () => {
    const store = memoryStore(60_000, Date.now);
    const entry = await store.add({ kind: 'sub', value: 'alice', beforeMs: Date.now() - 5_000 });
    expect(fromJson(JSON.parse(JSON.stringify(toJson(entry))))).toEqual(entry);
    const json = toJson(entry);
    for (const broken of [
      { ...json, extra: 1 },
      { ...json, jti: 'x' },
      { ...json, id: 'not-a-uuid' },
      { ...json, sub: '' },
      { ...json, created_at: '2026-11-25' },
      { id: json.id, sub: 'alice', created_at: json.created_at, expires_at: json.expires_at }, // sub without before
      null,
      [json],
    ]) {
      expect(fromJson(broken), JSON.stringify(broken)).toBeUndefined();
    }
  });
});
