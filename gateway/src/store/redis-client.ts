// The one way the gateway connects to Redis: revocations (store/redis.ts) and the rate limiter
// share these settings, so a Redis outage looks the same to both.
//
// Fail fast instead of queueing: with the offline queue off and no per-request retries, a
// command on a broken connection rejects at once, and commandTimeout bounds a Redis that accepts
// connections but does not answer. Callers then decide (revocations: 503 on writes, enforce the
// last known set; rate limits: their own policy) instead of requests piling up behind Redis.
// Reconnects go on forever, backing off to one attempt a second.
import { Redis, type RedisOptions } from 'ioredis';

export const REDIS_CLIENT_DEFAULTS: Readonly<RedisOptions> = Object.freeze({
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 1_000,
  connectTimeout: 2_000,
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000),
  // A replica that cannot write must not hang on start: connect in the background.
  lazyConnect: false,
});

/**
 * A client for `url` (redis:// or rediss://, as store.redis_url allows) with the defaults above;
 * `overrides` for callers that need another mode (e.g. `autoResubscribe: false` for a subscriber).
 * The caller must attach an 'error' listener (ioredis prints unhandled ones to the console) and
 * call disconnect() when done.
 */
export function createRedisClient(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, { ...REDIS_CLIENT_DEFAULTS, ...overrides });
}
