import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { ConfigMetrics } from './config-metrics.js';
import { HotCounter, HotHistogram } from './hot-metrics.js';
import { KeyFetchMetrics } from './key-events.js';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

import { LIMIT_REASONS, type Reason } from '../errors/reasons.js';
import { RETRY_REASONS, type RetryReason } from '../proxy/retry.js';
import type { TimeoutKind } from '../proxy/timeout-errors.js';
import type { PoolSnapshot } from '../proxy/upstream-load.js';
import type { Outcome } from './outcome.js';

const TIMEOUT_KINDS: readonly TimeoutKind[] = ['upstream_head', 'response_idle', 'body_idle'];

/** The gateway's Prometheus metrics, in a registry of its own (one per gateway instance). */
export class GatewayMetrics {
  readonly registry = new Registry();
  // Moved on every request: hot-metrics.ts keeps them as plain numbers until scraped.
  private readonly requests = new HotCounter('gateway_requests_total', 'Requests by route template, method and status.', ['route', 'method', 'status'], this.registry);
  private readonly requestDuration = new HotHistogram('gateway_request_duration_seconds', 'Time from request arrival to response end.', ['route', 'method'], DURATION_BUCKETS, this.registry);
  private readonly upstreamDuration = new HotHistogram('gateway_upstream_duration_seconds', 'Time from forwarding to the upstream\'s response headers.', ['route'], DURATION_BUCKETS, this.registry);
  private readonly denials = new Counter({ name: 'gateway_auth_denials_total', help: 'Requests refused for who the caller is or what it may do (401, 403, 400 multiple_credentials, 503 keys_unavailable), by reason.', labelNames: ['reason'], registers: [this.registry] });
  private readonly kidWaits = new Counter({ name: 'gateway_jwks_kid_waits_total', help: 'Tokens whose kid was not in their issuer\'s key set, by how they were answered: found or not_found after waiting for the next permitted fetch; recently_absent (a fetch just showed the kid absent) or overflow (too many requests already waiting) at once.', labelNames: ['issuer', 'outcome'], registers: [this.registry] });
  private readonly tokenCache = new HotCounter('gateway_token_cache_total', 'Token verifications answered from the verified-token cache (hit) or by verifying (miss).', ['result'], this.registry);

  // Cluster workers' gauges are combined on the primary: 'min', so one worker cut off from the
  // store (or behind on revocations) shows, instead of being summed away.
  private readonly storeUp = new Gauge({ name: 'gateway_store_up', help: 'Whether the revocation store is reachable (1) or not (0); memory is always 1. While 0, the last known revocations stay enforced.', registers: [this.registry], aggregator: 'min' });
  private revocationCount: () => number = () => 0;
  private readonly revocationsKnown: Gauge = new Gauge({
    name: 'gateway_revocations', help: 'Live revocation entries this replica enforces.', registers: [this.registry], aggregator: 'min',
    collect: () => this.revocationsKnown.set(this.revocationCount()),
  });
  private readonly timeouts = new Counter({ name: 'gateway_timeouts_total', help: 'Requests ended by a time-out: upstream_head (no response head within upstream.timeout, 504), response_idle (the response stood still for limits.response_idle_timeout, cut off), body_idle (the request body stood still for limits.body_idle_timeout, 408 or cut off).', labelNames: ['kind'], registers: [this.registry] });
  private readonly limitedRequests = new Counter({ name: 'gateway_limited_total', help: 'Requests refused with 429 for using more than their share, by reason (concurrency_limited, rate_limited).', labelNames: ['reason'], registers: [this.registry] });
  private readonly retries = new Counter({ name: 'gateway_upstream_retries_total', help: 'Requests sent to the upstream a second time, on a fresh connection, because their first attempt provably never reached it, by reason: connect_failed (no connection could be opened), socket_closed (the pooled socket was found closed before anything was written).', labelNames: ['reason'], registers: [this.registry] });
  private readonly rateFallbacks = new Counter({ name: 'gateway_rate_limit_store_fallbacks_total', help: 'Rate-limit checks counted by the in-memory insurance limiter because the shared store (Redis) failed or did not answer in time.', registers: [this.registry] });
  /** The running state's upstream (a reload may replace it), read when scraped. */
  private upstream: (() => { readonly origin: string; pool(): PoolSnapshot }) | undefined;

  private readonly tokenHits = this.tokenCache.labels('hit');
  private readonly tokenMisses = this.tokenCache.labels('miss');

  /** Absent in a cluster worker: the primary, which coordinates reloads, exports them. */
  readonly config: ConfigMetrics | undefined;
  /** Absent in a cluster worker: the primary does (and counts) every key fetch. */
  private readonly keyFetches: KeyFetchMetrics | undefined;

  constructor(options: { defaultMetrics?: boolean; configMetrics?: boolean; keyFetchMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'gateway_process_' });
    this.config = options.configMetrics ?? true ? new ConfigMetrics(this.registry) : undefined;
    this.keyFetches = options.keyFetchMetrics ?? true ? new KeyFetchMetrics(this.registry) : undefined;
    // Every kind and reason from the start, so a dashboard sees 0 rather than no series.
    for (const kind of TIMEOUT_KINDS) this.timeouts.labels(kind);
    for (const reason of LIMIT_REASONS) this.limitedRequests.labels(reason);
    for (const reason of RETRY_REASONS) this.retries.labels(reason);
    // Read when scraped, never on the request path.
    const current = () => this.upstream?.();
    const gauge = (name: string, help: string, pick: (s: PoolSnapshot) => number) =>
      new Gauge({
        name, help, labelNames: ['pool'], registers: [this.registry],
        collect() {
          const upstream = current();
          this.reset();
          if (upstream) this.set({ pool: upstream.origin }, pick(upstream.pool()));
        },
      });
    gauge('gateway_upstream_in_flight', 'Requests forwarded to the upstream and not finished (on a connection or waiting for one), per pool.', (s) => s.inFlight);
    gauge('gateway_upstream_queued', 'Requests waiting for a free upstream connection, per pool.', (s) => s.queued);
    gauge('gateway_upstream_connections_busy', 'Upstream connections carrying a request, per pool.', (s) => s.busy);
  }

  /** Exposes the running upstream pool's counters as gauges (`pool` label: the upstream origin). */
  trackUpstream(upstream: () => { readonly origin: string; pool(): PoolSnapshot }): void {
    this.upstream = upstream;
  }

  timedOut(kind: TimeoutKind): void {
    this.timeouts.inc({ kind });
  }

  retried(reason: RetryReason): void {
    this.retries.inc({ reason });
  }

  rateStoreFallback(): void {
    this.rateFallbacks.inc();
  }

  limited(reason: Reason): void {
    this.limitedRequests.inc({ reason });
  }

  // Series resolved once per label set; after that a request only adds numbers.
  private readonly requestSeries = new Map<string, { count: ReturnType<HotCounter['labels']>; duration: ReturnType<HotHistogram['labels']>; upstream: ReturnType<HotHistogram['labels']> }>();

  observeRequest(o: Outcome, authDenial: boolean): void {
    // Unknown methods share one label so a client cannot grow the series without bound.
    const method = KNOWN_METHODS.has(o.method) ? o.method : 'OTHER';
    const key = `${o.route}\n${method}\n${o.status}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      series = {
        count: this.requests.labels(o.route, method, String(o.status)),
        duration: this.requestDuration.labels(o.route, method),
        upstream: this.upstreamDuration.labels(o.route),
      };
      this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.duration.observe(o.durationMs / 1e3);
    if (o.upstreamMs !== undefined) series.upstream.observe(o.upstreamMs / 1e3);
    if (authDenial) this.denials.inc({ reason: o.reason! });
    if (o.tokenCached !== undefined) (o.tokenCached ? this.tokenHits : this.tokenMisses).inc();
  }

  keyFetch(issuer: string, result: string): void {
    this.keyFetches?.fetched(issuer, result);
  }

  kidWait(issuer: string, outcome: string): void {
    this.kidWaits.inc({ issuer, outcome });
  }

  storeReachable(up: boolean): void {
    this.storeUp.set(up ? 1 : 0);
  }

  /** Read at scrape time, never on the request path. */
  countRevocationsWith(size: () => number): void {
    this.revocationCount = size;
  }

}
