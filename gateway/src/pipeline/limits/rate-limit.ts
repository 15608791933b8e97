// One rate-limit policy (`rate_limit: { requests, per }`) as a limiter from rate-limiter-flexible:
// its Redis limiter when the process has a Redis store (every replica shares one budget), its
// cluster limiter in a cluster worker without Redis (the primary counts for all workers), else
// its memory limiter. When the shared counter errs or does not answer within SHARED_TIMEOUT_MS,
// the request is counted by an in-memory insurance limiter instead of failing: budgets are then
// per process until it answers again (what was counted meanwhile is not added to it).
import type { Redis } from 'ioredis';
import { RLWrapperTimeouts, RateLimiterCluster, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { deny, type Denial } from '../../errors/reasons.js';
import type { RateLimitPolicy } from '../../config/types.js';
import { policyField, sfString, stateField } from './headers.js';

/** Far above a healthy Redis (or IPC) round trip; past it, the insurance limiter answers. */
export const SHARED_TIMEOUT_MS = 200;
/** Counters in Redis: `gw:rate:<policy name>:<s:subject | a:address>`, beside the revocation keys (`gw:rev:*`). */
export const REDIS_RATE_PREFIX = 'gw:rate:';

/** Where limiters count: the process's Redis connection (opened on first use), the cluster primary, or memory. */
export interface RateStore {
  readonly redis?: (() => Redis) | undefined;
  /** A cluster worker without Redis: the primary (RateLimiterClusterMaster) counts for every worker. */
  readonly viaPrimary?: boolean | undefined;
  /** The Redis limiter failed and the in-memory one counted the request. */
  readonly onFallback?: ((error: unknown) => void) | undefined;
}

export type RateHeaders = { readonly policy: string; readonly state: string };
export type RateDecision = { readonly ok: true; readonly remaining: number; readonly headers: RateHeaders } | Denial;

class InsuranceLimiter extends RateLimiterMemory {
  constructor(options: ConstructorParameters<typeof RateLimiterMemory>[0], private readonly onUse: () => void) {
    super(options);
  }
  override consume(...args: Parameters<RateLimiterMemory['consume']>): ReturnType<RateLimiterMemory['consume']> {
    this.onUse();
    return super.consume(...args);
  }
}

export class RateLimiter {
  /** `"default";q=100;w=60`: the same on every response of the policy, built once. */
  readonly policyHeader: string;
  private readonly quotedName: string;
  private readonly limiter: RateLimiterAbstract;

  constructor(readonly name: string, readonly policy: RateLimitPolicy, store: RateStore) {
    this.policyHeader = policyField(name, policy);
    this.quotedName = sfString(name);
    const options = { points: policy.requests, duration: policy.perSeconds, keyPrefix: `${REDIS_RATE_PREFIX}${name}` };
    const shared = store.redis
      ? new RateLimiterRedis({ ...options, storeClient: store.redis(), rejectIfRedisNotReady: true })
      : store.viaPrimary
        ? // The primary keeps the options a prefix was first created with: the policy is part of the prefix.
          new RateLimiterCluster({ ...options, keyPrefix: `${options.keyPrefix}:${policy.requests}/${policy.perSeconds}`, timeoutMs: 1_000 })
        : undefined;
    if (!shared) {
      this.limiter = new RateLimiterMemory(options);
      return;
    }
    const insurance = new InsuranceLimiter(options, () => store.onFallback?.(new Error(store.redis ? 'redis unavailable or slow' : 'cluster primary did not answer')));
    this.limiter = new RLWrapperTimeouts({ limiter: shared, timeoutMs: SHARED_TIMEOUT_MS, insuranceLimiter: insurance }) as unknown as RateLimiterAbstract;
  }

  /** Whether a successor config's policy of this name can keep counting here. */
  counts(name: string, policy: RateLimitPolicy): boolean {
    return name === this.name && policy.requests === this.policy.requests && policy.perSeconds === this.policy.perSeconds;
  }

  /** Counts one request of `key`. Never rejects. */
  consume(key: string): Promise<RateDecision> {
    return this.limiter.consume(key).then(this.allowed, this.refused);
  }

  private readonly allowed = (res: RateLimiterRes): RateDecision => ({
    ok: true,
    remaining: res.remainingPoints,
    headers: { policy: this.policyHeader, state: stateField(this.quotedName, res.remainingPoints, secondsUntil(res.msBeforeNext)) },
  });

  private readonly refused = (res: unknown): RateDecision => {
    // Not a count (the insurance limiter failed too): refuse rather than forward uncounted.
    const seconds = res instanceof RateLimiterRes ? secondsUntil(res.msBeforeNext) : 1;
    return {
      ...deny('rate_limited', `${this.policy.requests} requests per ${this.policy.perSeconds} s; retry in ${seconds} s.`),
      retryAfterSeconds: seconds,
      headers: { 'ratelimit-policy': this.policyHeader, ratelimit: stateField(this.quotedName, 0, seconds) },
    };
  };
}

/** Whole seconds, rounded up and at least 1: Retry-After must never point before the reset. */
function secondsUntil(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
