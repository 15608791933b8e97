// The shapes a benchmark run produces: raw measurements per round, the per-target summary
// (medians with min–max), the explicit targets from the issue, and the run's metadata.
import type { Spread } from './stats.js';

export type UpstreamId = 'upstream-todo' | 'fastapi';
export type TargetId =
  | 'direct' | 'nginx' | 'floor' | 'gateway' | 'gateway-revocations'
  | 'floor-uncached-hs256' | 'gateway-uncached-hs256' | 'floor-uncached-eddsa' | 'gateway-uncached-eddsa';

/** Labels, in the order the tables list the paths. */
export const TARGET_LABELS: Readonly<Record<TargetId, string>> = {
  direct: 'direct',
  nginx: 'nginx proxy',
  floor: 'Node floor (token cache)',
  gateway: 'gateway (token cache)',
  'gateway-revocations': 'gateway, 10k revocations',
  'floor-uncached-hs256': 'Node floor, uncached HS256',
  'gateway-uncached-hs256': 'gateway, uncached HS256',
  'floor-uncached-eddsa': 'Node floor, uncached EdDSA',
  'gateway-uncached-eddsa': 'gateway, uncached EdDSA',
};

export interface LatencyUs {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly mean: number;
  readonly max: number;
}

export interface Measurement {
  readonly upstream: UpstreamId;
  readonly target: TargetId;
  readonly connections: number;
  readonly round: number;
  readonly requests: number;
  readonly rps: number;
  readonly failures: number;
  readonly latencyUs: LatencyUs;
  /** CPU of the proxy process tree (gateway or nginx) per request, µs; null for direct. */
  readonly proxyCpuUsPerReq: number | null;
  /** CPU of the upstream per request, µs. */
  readonly upstreamCpuUsPerReq: number | null;
  /** Peak resident memory of the proxy process tree during the round (VmRSS sampled from /proc), kB; null for direct. */
  readonly proxyRssKb?: number | null;
  /** Lines the proxy wrote to its stdout (the gateway's access log) ÷ requests; null where not counted. */
  readonly proxyLogLinesPerReq?: number | null;
  /**
   * Cores' worth of CPU used during the round by processes that are not part of the benchmark
   * (total busy time − upstream − proxies − load generator − the bench itself) ÷ round time.
   * Anything well above 0 means the numbers were disturbed.
   */
  readonly otherCpuCores?: number | null;
  /** How many attempts this round took (disturbed attempts are repeated; the least disturbed is kept). */
  readonly attempts?: number;
}

export interface VsDirect {
  /** target / direct, of the medians. */
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** target p50 − direct p50, µs. */
  readonly addedP50Us: number;
}

export type Verdict = 'baseline' | 'within budget' | 'over budget' | 'unknown';

export interface SummaryRow {
  readonly upstream: UpstreamId;
  readonly target: TargetId;
  readonly connections: number;
  readonly rps: Spread;
  readonly p50Us: Spread;
  readonly p99Us: Spread;
  readonly proxyCpuUsPerReq: Spread | null;
  readonly upstreamCpuUsPerReq: Spread | null;
  readonly proxyRssKb: Spread | null;
  readonly proxyLogLinesPerReq: Spread | null;
  readonly failures: number;
  readonly vsDirect: VsDirect | null;
  readonly verdict: Verdict;
}

export interface TargetCheck {
  readonly id: string;
  readonly description: string;
  readonly measured: number | null;
  readonly unit: string;
  readonly limit: number;
  readonly comparison: '<=' | '>=';
  /** null: not measured in this run. */
  readonly met: boolean | null;
  /** The same figure for nginx, where it was measured. */
  readonly nginx: number | null;
  /** The same figure for the Node floor (node-floor.ts), where it was measured and meaningful. */
  readonly floor: number | null;
  /**
   * The gateway's figure as each round alone gives it (target-rounds.ts): its median and range,
   * and in how many of the rounds that measured it the target was met. Absent in results written before it.
   */
  readonly rounds?: TargetRounds | null;
}

export interface TargetRounds {
  /** The median of the rounds' own figures: each round paired with itself, so drift between rounds cancels. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly met: number;
  readonly of: number;
}

export interface RunMeta {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly host: { readonly cpus: number; readonly model: string; readonly kernel: string; readonly loadAverageAtStart: number; readonly loadAverageAtEnd: number };
  readonly versions: Readonly<Record<string, string>>;
  readonly placement: string;
  readonly latencySource: string;
  readonly mix: string;
  readonly rounds: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly connections: readonly number[];
  readonly quick: boolean;
  /** Cores used by processes outside the benchmark during the rounds (see Measurement.otherCpuCores). */
  readonly otherCpuCores?: Spread;
  readonly notes: readonly string[];
}

export interface BenchResults {
  readonly meta: RunMeta;
  readonly summary: readonly SummaryRow[];
  /** Gateway against the floor and nginx, floor and nginx against direct (ratios.ts). */
  readonly comparisons?: readonly Comparison[];
  readonly targets: readonly TargetCheck[];
  /** The gateway with a full revocation list against the plain gateway (revocation-cost.ts). */
  readonly revocationCost?: readonly RevocationCost[];
  readonly measurements: readonly Measurement[];
}

/** One figure of the revocations row beside the plain gateway's, from the same alternating rounds. */
export interface RevocationCostFigure {
  readonly metric: CompareMetric;
  /** The plain gateway (token cache, no revocations). */
  readonly plain: Spread | null;
  /** The same gateway config with the bench's revocation list loaded. */
  readonly revoked: Spread | null;
  /** revoked ÷ plain, of the medians. */
  readonly ratio: number | null;
  /**
   * The revoked median is above the plain gateway's slowest (highest) round: a cost this run's
   * round-to-round noise does not explain. false: no measurable cost (a median below the plain
   * one is noise too). null with fewer than two plain rounds, which give no spread to judge by.
   */
  readonly measurable: boolean | null;
}

export interface RevocationCost {
  readonly upstream: UpstreamId;
  readonly connections: number;
  /** Live entries the revocations row's gateway enforced (its gateway_revocations gauge). */
  readonly entries: number;
  readonly figures: readonly RevocationCostFigure[];
}

/** Which gateway and floor paths a comparison puts side by side. */
export type Variant = 'cached' | 'uncached-hs256' | 'uncached-eddsa';

export type CompareMetric = 'cpuUsPerReq' | 'addedP50Us' | 'p50Us' | 'p99Us' | 'rps' | 'rssMb';

/** One metric for the four paths (null: not measured, or meaningless such as direct's proxy CPU). */
export interface MetricComparison {
  readonly metric: CompareMetric;
  readonly direct: number | null;
  readonly nginx: number | null;
  readonly floor: number | null;
  readonly gateway: number | null;
  readonly gatewayVsFloor: number | null;
  readonly gatewayVsNginx: number | null;
  readonly gatewayVsDirect: number | null;
  readonly floorVsDirect: number | null;
  readonly nginxVsDirect: number | null;
}

export interface Comparison {
  readonly upstream: UpstreamId;
  readonly connections: number;
  readonly variant: Variant;
  readonly metrics: readonly MetricComparison[];
}
