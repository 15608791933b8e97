// Stage: limits — after the owner rule, so only requests that would be forwarded count. Two
// checks per request, keyed by the verified subject, or by the client address on public routes:
//   1. the subject's share of the upstream (limits.concurrent_per_subject in flight at once, per
//      process) → 429 concurrency_limited, Retry-After: 1;
//   2. the route's rate limit, if it has one → 429 rate_limited, Retry-After, RateLimit-Policy,
//      RateLimit. Routes without one never touch a limiter (its consume is a promise).
// An admitted request holds its concurrency slot until the upstream exchange is over.
import type { IncomingMessage } from 'node:http';
import type { Redis } from 'ioredis';
import type { LimitsConfig, RateLimitPolicy, RouteConfig, TrustProxyConfig } from '../../config/types.js';
import type { Denial } from '../../errors/reasons.js';
import { addressLimitKey, clientAddress, createPeerTrust } from '../../proxy/client-address.js';
import type { Identity } from '../authn/index.js';
import type { CompiledRoute, RouteTable } from '../route/index.js';
import { ConcurrencyShare } from './concurrency.js';
import { RateLimiter, type RateDecision } from './rate-limit.js';

/** A forwarded request's hold on its share; `release` once, when the upstream exchange ends. */
export interface Admission {
  release(): void;
  /** RateLimit-Policy and RateLimit for the response, on routes with a rate limit. */
  readonly rateLimit?: { readonly policy: string; readonly state: string };
}

export interface LimitsStage {
  admit(req: IncomingMessage, route: CompiledRoute, identity: Identity | undefined): Admission | Denial | Promise<Admission | Denial>;
}

export interface LimitsSettings {
  readonly limits: Pick<LimitsConfig, 'concurrentPerSubject'>;
  /** The top-level rate_limit: the policy of every route that names none. */
  readonly rateLimit?: RateLimitPolicy | undefined;
  readonly routes: readonly RouteConfig[];
  readonly routeTable: RouteTable;
  readonly trustProxy: TrustProxyConfig;
}

export interface LimitsDeps {
  /** Shared rate-limit budgets across replicas; without it, budgets are per process. */
  readonly redis?: Redis | undefined;
  /** The Redis limiter failed and the in-memory insurance limiter counted instead. */
  readonly onStoreFallback?: ((error: unknown) => void) | undefined;
}

export const DEFAULT_POLICY_NAME = 'default';

const CONCURRENCY_LIMITED: Denial = Object.freeze({ ok: false as const, reason: 'concurrency_limited' as const, retryAfterSeconds: 1 });

class Lease implements Admission {
  private released = false;
  constructor(private readonly share: ConcurrencyShare, private readonly key: string, readonly rateLimit?: RateDecisionHeaders) {}
  release(): void {
    if (this.released) return;
    this.released = true;
    this.share.release(this.key);
  }
}

type RateDecisionHeaders = Extract<RateDecision, { ok: true }>['headers'];

/** Which limiter each route counts against: routes on the default share one budget, a route's own policy has its own. */
function limitersByRoute(settings: LimitsSettings, deps: LimitsDeps): Map<CompiledRoute, RateLimiter> {
  const store = { redis: deps.redis, onFallback: deps.onStoreFallback };
  const shared = settings.rateLimit ? new RateLimiter(DEFAULT_POLICY_NAME, settings.rateLimit, store) : undefined;
  const byTemplate = new Map(settings.routes.map((r) => [r.path, r.rateLimit]));
  const out = new Map<CompiledRoute, RateLimiter>();
  for (const route of settings.routeTable.routes) {
    const own = byTemplate.get(route.template);
    const limiter = own === 'off' ? undefined : own ? new RateLimiter(route.template, own, store) : shared;
    if (limiter) out.set(route, limiter);
  }
  return out;
}

export function createLimits(settings: LimitsSettings, deps: LimitsDeps = {}): LimitsStage {
  const subjects = new ConcurrencyShare(settings.limits.concurrentPerSubject);
  const addresses = new ConcurrencyShare(settings.limits.concurrentPerSubject);
  const peerTrusted = createPeerTrust(settings.trustProxy);
  const limiters = limitersByRoute(settings, deps);

  return {
    admit(req, route, identity) {
      const share = identity ? subjects : addresses;
      const key = identity ? identity.subject : addressLimitKey(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], peerTrusted));
      if (!share.tryAcquire(key)) return CONCURRENCY_LIMITED;
      const limiter = limiters.get(route);
      if (!limiter) return new Lease(share, key);
      // Subjects and addresses are separate budgets: a subject may look like an address.
      return limiter.consume(identity ? `s:${key}` : `a:${key}`).then((decision) => {
        if (decision.ok) return new Lease(share, key, decision.headers);
        share.release(key);
        return decision;
      });
    },
  };
}
