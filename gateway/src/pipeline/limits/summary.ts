// One line for --check-config: the fair-share settings in force, defaults included, so an
// operator sees what one subject may do without reading the whole reference.
import type { LimitsConfig, RateLimitPolicy, RouteConfig, UpstreamConfig } from '../../config/types.js';
import type { StoreConfig } from '../../store/config.js';

/** The settings the summary reads; the loaded GatewayConfig has them (it composes this stage's sections). */
export interface FairShareSettings {
  readonly limits: LimitsConfig;
  readonly upstream: UpstreamConfig;
  readonly routes: readonly RouteConfig[];
  readonly rateLimit?: RateLimitPolicy;
  readonly store: StoreConfig;
  readonly workers: number;
}

const seconds = (ms: number) => `${ms / 1000} s`;

export function fairShareSummary(config: FairShareSettings): string {
  const { limits, upstream, routes, rateLimit, store, workers } = config;
  const own = routes.filter((r) => r.rateLimit !== undefined && r.rateLimit !== 'off').length;
  const off = routes.filter((r) => r.rateLimit === 'off').length;
  const policies = [
    rateLimit ? `${rateLimit.requests} per ${rateLimit.perSeconds} s by default` : 'none by default',
    ...(own > 0 ? [`own policy on ${own} route(s)`] : []),
    ...(off > 0 && rateLimit ? [`off on ${off} route(s)`] : []),
  ].join(', ');
  const where = !rateLimit && own === 0 ? '' : store.redisUrl !== undefined ? ', counted in Redis (shared by every replica)' : workers > 1 ? ', counted by the cluster primary (one budget for its workers)' : ', counted in memory (this process)';
  return (
    `${limits.concurrentPerSubject} request(s) in flight per subject (of upstream.connections ${upstream.connections}); ` +
    `rate limits: ${policies}${where}; idle time-outs: response ${seconds(limits.responseIdleTimeoutMs)}, body ${seconds(limits.bodyIdleTimeoutMs)}`
  );
}
