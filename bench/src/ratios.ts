// The gateway against its two references, per upstream and connection count: ÷ the Node floor
// (what Node itself costs) and ÷ nginx (what a separate C proxy costs), and both references
// ÷ direct. Ratios are of the medians of the rounds.
import type { CompareMetric, Comparison, MetricComparison, SummaryRow, TargetId, UpstreamId, Variant } from './results.js';

/** The four paths a comparison puts side by side, for each variant. */
export const VARIANT_PATHS: Readonly<Record<Variant, { readonly floor: TargetId; readonly gateway: TargetId }>> = {
  cached: { floor: 'floor', gateway: 'gateway' },
  'uncached-hs256': { floor: 'floor-uncached-hs256', gateway: 'gateway-uncached-hs256' },
  'uncached-eddsa': { floor: 'floor-uncached-eddsa', gateway: 'gateway-uncached-eddsa' },
};

export const COMPARE_METRICS: readonly CompareMetric[] = ['cpuUsPerReq', 'addedP50Us', 'p50Us', 'p99Us', 'rps', 'rssMb'];

/** Metrics that have no value for direct (no proxy), so no "÷ direct" either. */
const PROXY_ONLY: ReadonlySet<CompareMetric> = new Set(['cpuUsPerReq', 'addedP50Us', 'rssMb']);

/**
 * a ÷ b, or null when either is missing or b is not positive: a ratio against zero or against a
 * negative "added" latency (noise below direct) states nothing.
 */
export function ratioOf(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

function finite(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}

export function metricOf(row: SummaryRow | undefined, metric: CompareMetric): number | null {
  if (!row) return null;
  switch (metric) {
    case 'cpuUsPerReq': return finite(row.proxyCpuUsPerReq?.median);
    case 'addedP50Us': return row.target === 'direct' ? null : finite(row.vsDirect?.addedP50Us);
    case 'p50Us': return finite(row.p50Us.median);
    case 'p99Us': return finite(row.p99Us.median);
    case 'rps': return finite(row.rps.median);
    case 'rssMb': return row.proxyRssKb ? finite(row.proxyRssKb.median / 1024) : null;
  }
}

export function compareOne(rows: readonly SummaryRow[], upstream: UpstreamId, connections: number, variant: Variant): Comparison {
  const pick = (target: TargetId) => rows.find((r) => r.upstream === upstream && r.connections === connections && r.target === target);
  const paths = VARIANT_PATHS[variant];
  const direct = pick('direct');
  const nginx = pick('nginx');
  const floor = pick(paths.floor);
  const gateway = pick(paths.gateway);
  const metrics = COMPARE_METRICS.map((metric): MetricComparison => {
    const v = { direct: metricOf(direct, metric), nginx: metricOf(nginx, metric), floor: metricOf(floor, metric), gateway: metricOf(gateway, metric) };
    const vsDirect = (x: number | null) => (PROXY_ONLY.has(metric) ? null : ratioOf(x, v.direct));
    return {
      metric,
      ...v,
      gatewayVsFloor: ratioOf(v.gateway, v.floor),
      gatewayVsNginx: ratioOf(v.gateway, v.nginx),
      gatewayVsDirect: vsDirect(v.gateway),
      floorVsDirect: vsDirect(v.floor),
      nginxVsDirect: vsDirect(v.nginx),
    };
  });
  return { upstream, connections, variant, metrics };
}

/** Every upstream × connection count × variant for which the gateway or the floor was measured. */
export function compareAll(rows: readonly SummaryRow[]): Comparison[] {
  const out: Comparison[] = [];
  const keys = [...new Set(rows.map((r) => `${r.upstream}\u0000${r.connections}`))];
  for (const key of keys) {
    const [upstream, connections] = key.split('\u0000') as [UpstreamId, string];
    for (const variant of Object.keys(VARIANT_PATHS) as Variant[]) {
      const { floor, gateway } = VARIANT_PATHS[variant];
      const present = rows.some((r) => r.upstream === upstream && r.connections === Number(connections) && (r.target === floor || r.target === gateway));
      if (present) out.push(compareOne(rows, upstream, Number(connections), variant));
    }
  }
  return out; // in the order the rows were measured
}

export function metricIn(c: Comparison | undefined, metric: CompareMetric): MetricComparison | undefined {
  return c?.metrics.find((m) => m.metric === metric);
}
