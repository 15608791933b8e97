// Where revocations live in Redis, and the commands that read and write them. The connection,
// its state and the replica's bookkeeping are redis.ts's; this file is the data layout alone.
//
//   gw:rev:<id>    the entry's JSON, with a TTL until its expires_at (Redis forgets it by itself)
//   gw:rev-index   a set of the ids, so loading everything never SCANs a keyspace that the rate
//                  limiter's counters share; ids whose key has expired are pruned on load
//   gw:rev-epoch   a random value set once; when it changes, Redis lost its data (restarted
//                  without persistence, flushed) and a replica writes back what it knew
//   gw:rev-changes the pub/sub channel of changes: {"op":"add","entry":…} / {"op":"remove","id":…}
// Writes are one MULTI (entry, index, publish), so a replica that sees a change message can read
// the entry, and a load never sees an indexed id whose entry was not written.
import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { fromJson, toJson, type Revocation } from './revocation.js';
import type { StoreEvent } from './types.js';

export const REDIS_KEYS = { entryPrefix: 'gw:rev:', index: 'gw:rev-index', epoch: 'gw:rev-epoch', channel: 'gw:rev-changes' } as const;
const MGET_CHUNK = 500;

const ttlMs = (entry: Revocation, nowMs: number): number => Math.max(1, entry.expiresAtMs - nowMs);

export function addEntry(multi: ChainableCommander, entry: Revocation, nowMs: number): ChainableCommander {
  return multi
    .set(REDIS_KEYS.entryPrefix + entry.id, JSON.stringify(toJson(entry)), 'PX', ttlMs(entry, nowMs))
    .sadd(REDIS_KEYS.index, entry.id)
    .publish(REDIS_KEYS.channel, JSON.stringify({ op: 'add', entry: toJson(entry) }));
}

/** Its first result is how many entries were deleted (0 or 1). */
export function removeEntry(multi: ChainableCommander, id: string): ChainableCommander {
  return multi.del(REDIS_KEYS.entryPrefix + id).srem(REDIS_KEYS.index, id).publish(REDIS_KEYS.channel, JSON.stringify({ op: 'remove', id }));
}

/** NX: a copy already there (written back by another replica, or newer) is never overwritten. */
export function writeBack(multi: ChainableCommander, entries: readonly Revocation[], nowMs: number): ChainableCommander {
  for (const entry of entries) {
    multi.set(REDIS_KEYS.entryPrefix + entry.id, JSON.stringify(toJson(entry)), 'PX', ttlMs(entry, nowMs), 'NX').sadd(REDIS_KEYS.index, entry.id);
  }
  return multi;
}

/** Results: [set-epoch-if-missing, the epoch, the indexed ids]. */
export function readHead(multi: ChainableCommander): ChainableCommander {
  return multi.set(REDIS_KEYS.epoch, randomUUID(), 'NX').get(REDIS_KEYS.epoch).smembers(REDIS_KEYS.index);
}

/** The entries behind `ids`; ids whose key is gone (expired, or unreadable) are dropped from the index. */
export async function readEntries(client: Redis, ids: readonly string[]): Promise<Revocation[]> {
  const entries: Revocation[] = [];
  const gone: string[] = [];
  for (let i = 0; i < ids.length; i += MGET_CHUNK) {
    const chunk = ids.slice(i, i + MGET_CHUNK);
    const values = await client.mget(chunk.map((id) => REDIS_KEYS.entryPrefix + id));
    values.forEach((value, j) => {
      const entry = value === null ? undefined : parseEntry(value);
      if (entry === undefined) gone.push(chunk[j]!);
      else entries.push(entry);
    });
  }
  if (gone.length > 0) await client.srem(REDIS_KEYS.index, ...gone).catch(() => undefined);
  return entries;
}

/** A message from the changes channel, or undefined for anything malformed. */
export function parseChange(message: string): Extract<StoreEvent, { type: 'added' | 'removed' }> | undefined {
  let change: { op?: unknown; entry?: unknown; id?: unknown };
  try {
    change = JSON.parse(message) as typeof change;
  } catch {
    return undefined;
  }
  if (change?.op === 'remove' && typeof change.id === 'string') return { type: 'removed', id: change.id };
  const entry = change?.op === 'add' ? fromJson(change.entry) : undefined;
  return entry === undefined ? undefined : { type: 'added', entry };
}

function parseEntry(value: string): Revocation | undefined {
  try {
    return fromJson(JSON.parse(value));
  } catch {
    return undefined;
  }
}
