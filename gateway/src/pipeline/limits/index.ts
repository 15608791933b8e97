// Stage: limits — after the owner rule, so only requests that would be forwarded count. Two
// checks per request, keyed by the verified subject, or by the client address on public routes:
//   1. the subject's share of the upstream (limits.concurrent_per_subject in flight at once, per
//      process) → 429 concurrency_limited, Retry-After: 1;
//   2. the route's rate limit, if it has one → 429 rate_limited, Retry-After, RateLimit-Policy,
//      RateLimit. Routes without one never touch a limiter (its consume is a promise).
// An admitted request holds its concurrency slot until the upstream exchange is over.
//
// A reload builds a new stage from the new config with `previous`: the in-flight counts carry
// over as they are, and every limiter whose policy (name, requests, window) is unchanged keeps
// its counters; a changed policy starts a new count.
import type { IncomingMessage } from 'node:http';
import type { LimitsConfig, RateLimitPolicy, RouteConfig, TrustProxyConfig } from '../../config/types.js';
import type { Denial } from '../../errors/reasons.js';
import { createPeerTrust } from '../client-address.js';
import type { Identity } from '../authn/index.js';
import type { CompiledRoute, RouteTable } from '../route/index.js';
import type { Trace } from '../trace.js';
import { ConcurrencyShare } from './concurrency.js';
import { labelOf, limitKeyOf, rateKeyOf, type LimitKey } from './key.js';
import { RateLimiter, type RateHeaders, type RateStore } from './rate-limit.js';

/** A forwarded request's hold on its share; `release` once, when the upstream exchange ends. */
export interface Admission {
  release(): void;
  /** RateLimit-Policy and RateLimit for the response, on routes with a rate limit. */
  readonly rateLimit?: RateHeaders | undefined;
}

export interface LimitsStage {
  admit(req: IncomingMessage, route: CompiledRoute, identity: Identity | undefined, trace?: Trace): Admission | Denial | Promise<Admission | Denial>;
  /** What a successor stage adopts: the in-flight counts and the limiters. */
  readonly carried: Carried;
}

interface Carried {
  readonly subjects: ConcurrencyShare;
  readonly addresses: ConcurrencyShare;
  readonly limiters: readonly RateLimiter[];
}

export interface LimitsSettings {
  readonly limits: Pick<LimitsConfig, 'concurrentPerSubject'>;
  /** The top-level rate_limit: the policy of every route that names none. */
  readonly rateLimit?: RateLimitPolicy | undefined;
  readonly routes: readonly RouteConfig[];
  readonly routeTable: RouteTable;
  readonly trustProxy: TrustProxyConfig;
}

export const DEFAULT_POLICY_NAME = 'default';

const CONCURRENCY_LIMITED: Denial = Object.freeze({ ok: false as const, reason: 'concurrency_limited' as const, retryAfterSeconds: 1 });

class Lease implements Admission {
  private released = false;
  constructor(private readonly share: ConcurrencyShare, private readonly key: string, readonly rateLimit?: RateHeaders) {}
  release(): void {
    if (this.released) return;
    this.released = true;
    this.share.release(this.key);
  }
}

/** Each route's policy and its name: its own (named by its template), the default, or none. */
export function policiesByRoute(settings: LimitsSettings): Map<CompiledRoute, { readonly name: string; readonly policy: RateLimitPolicy }> {
  const byTemplate = new Map(settings.routes.map((r) => [r.path, r.rateLimit]));
  const out = new Map<CompiledRoute, { name: string; policy: RateLimitPolicy }>();
  for (const route of settings.routeTable.routes) {
    const own = byTemplate.get(route.template);
    if (own === 'off') continue;
    if (own) out.set(route, { name: route.template, policy: own });
    else if (settings.rateLimit) out.set(route, { name: DEFAULT_POLICY_NAME, policy: settings.rateLimit });
  }
  return out;
}

/** Routes on the default share one limiter (one budget); a route's own policy has its own. */
function limitersByRoute(settings: LimitsSettings, store: RateStore, previous: readonly RateLimiter[]): Map<CompiledRoute, RateLimiter> {
  const made: RateLimiter[] = [];
  const limiterFor = (name: string, policy: RateLimitPolicy): RateLimiter => {
    const found = made.find((l) => l.counts(name, policy)) ?? previous.find((l) => l.counts(name, policy));
    const limiter = found ?? new RateLimiter(name, policy, store);
    if (!made.includes(limiter)) made.push(limiter);
    return limiter;
  };
  const out = new Map<CompiledRoute, RateLimiter>();
  for (const [route, { name, policy }] of policiesByRoute(settings)) out.set(route, limiterFor(name, policy));
  return out;
}

export function createLimits(settings: LimitsSettings, store: RateStore = {}, previous?: LimitsStage): LimitsStage {
  const subjects = previous?.carried.subjects ?? new ConcurrencyShare();
  const addresses = previous?.carried.addresses ?? new ConcurrencyShare();
  const max = settings.limits.concurrentPerSubject;
  const peerTrusted = createPeerTrust(settings.trustProxy);
  const limiters = limitersByRoute(settings, store, previous?.carried.limiters ?? []);

  function rate(limiter: RateLimiter, share: ConcurrencyShare, key: LimitKey, trace: Trace | undefined): Promise<Admission | Denial> {
    return limiter.consume(rateKeyOf(key)).then((decision) => {
      if (!decision.ok) {
        share.release(key.value);
        return decision;
      }
      trace?.({ step: 'limits', ok: true, detail: `${labelOf(key)}: ${share.held(key.value)} of ${max} in flight; rate limit "${limiter.name}" ${limiter.policy.requests} per ${limiter.policy.perSeconds} s, ${decision.remaining} left` });
      return new Lease(share, key.value, decision.headers);
    });
  }

  return {
    carried: { subjects, addresses, limiters: [...new Set(limiters.values())] },
    admit(req, route, identity, trace) {
      const key = limitKeyOf(req, identity, peerTrusted);
      const share = identity ? subjects : addresses;
      if (!share.tryAcquire(key.value, max)) return CONCURRENCY_LIMITED;
      const limiter = limiters.get(route);
      if (limiter) return rate(limiter, share, key, trace);
      trace?.({ step: 'limits', ok: true, detail: `${labelOf(key)}: ${share.held(key.value)} of ${max} in flight; no rate limit on this route` });
      return new Lease(share, key.value);
    },
  };
}

/**
 * The same stage for `gateway explain`: it names the key and the limits that would apply, and
 * never counts (the live counts are in the running gateway, which explain does not see).
 */
export function describeLimits(settings: LimitsSettings): LimitsStage {
  const peerTrusted = createPeerTrust(settings.trustProxy);
  const policies = policiesByRoute(settings);
  const max = settings.limits.concurrentPerSubject;
  const nothing: Admission = { release: () => undefined };
  return {
    carried: { subjects: new ConcurrencyShare(), addresses: new ConcurrencyShare(), limiters: [] },
    admit(req, route, identity, trace) {
      const key = limitKeyOf(req, identity, peerTrusted);
      const found = policies.get(route);
      const rate = found ? `rate limit "${found.name}" ${found.policy.requests} per ${found.policy.perSeconds} s` : 'no rate limit on this route';
      trace?.({ step: 'limits', ok: true, detail: `${labelOf(key)}: at most ${max} in flight; ${rate} (not counted: explain does not see the live counts)` });
      return nothing;
    },
  };
}
