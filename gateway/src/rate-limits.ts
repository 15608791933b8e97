// Wiring for rate limits in one gateway process (server.ts composes it): where every serving
// state's limiters count. With store.redis_url, one Redis connection for the process (the store's
// settings: fail fast, never queue), opened when the first limiter needs it, so every replica on
// that Redis shares one budget per policy and subject. Without Redis, a cluster worker asks its
// primary (one budget for the whole cluster) and a single process counts in its own memory.
// When the shared counter fails or is slow, each process counts on its own (the insurance
// limiter) until it answers again: counted per request, warned once per 10 s, never an error.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { GatewayConfig } from './gateway-config.js';
import type { GatewayMetrics } from './observe/metrics.js';
import type { RateStore } from './pipeline/limits/rate-limit.js';
import { createRedisClient } from './store/index.js';

const WARN_EVERY_MS = 10_000;

export interface RateLimits {
  readonly store: RateStore;
  close(): void;
}

export function setUpRateLimits(config: GatewayConfig, deps: { readonly log: Logger; readonly metrics: GatewayMetrics; readonly viaPrimary: boolean }): RateLimits {
  const url = config.store.redisUrl;
  let client: Redis | undefined;
  let warnedAt = -Infinity;
  const store: RateStore = {
    onFallback: (error) => {
      deps.metrics.rateStoreFallback();
      if (performance.now() - warnedAt < WARN_EVERY_MS) return;
      warnedAt = performance.now();
      deps.log.warn({ err: error }, 'rate-limit store unavailable: this process counts rate limits on its own until the shared counter answers again');
    },
    ...(url === undefined
      ? { viaPrimary: deps.viaPrimary }
      : {
          redis: () => {
            if (!client) {
              client = createRedisClient(url);
              client.on('error', () => undefined); // a down Redis shows as fallbacks, not console noise
            }
            return client;
          },
        }),
  };
  return { store, close: () => client?.disconnect() };
}
