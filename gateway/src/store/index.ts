// The shared store: revocations (memory or Redis behind one interface) and the Redis client
// settings other features (rate limits) reuse. See README.md in this folder.
import type { Logger } from 'pino';
import { MemoryRevocationStore } from './memory.js';
import { RedisRevocationStore } from './redis.js';
import type { StoreConfig } from './config.js';
import type { RevocationStore } from './types.js';

export { createRedisClient, REDIS_CLIENT_DEFAULTS } from './redis-client.js';
export { MemoryRevocationStore } from './memory.js';
export { RedisRevocationStore, REDIS_KEYS } from './redis.js';
export { syncReplica, RESYNC_EVERY_MS, type ReplicaSync, type RevocationSink } from './replica-sync.js';
export * from './revocation.js';
export * from './types.js';

/** Redis when store.redis_url is set, else this process's memory. */
export function createRevocationStore(store: StoreConfig, retentionMs: number, log?: Logger): RevocationStore {
  if (store.redisUrl === undefined) return new MemoryRevocationStore({ retentionMs });
  return new RedisRevocationStore({ url: store.redisUrl, retentionMs, ...(log ? { log } : {}) });
}
