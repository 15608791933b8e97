// A worker's metrics as prom-client's getMetricsAsJSON gives them (what crosses the IPC channel),
// and the one sum the primary keeps of the workers that died: their counters and histograms.
// A gauge is a worker's present state (its pool, its store link) and ends with it.

export interface MetricValueJson {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  /** A histogram's series: `<name>_bucket`, `_sum` or `_count`. */
  readonly metricName?: string;
}

export interface MetricJson {
  readonly name: string;
  readonly help: string;
  /** prom-client's type name at run time: 'counter', 'gauge', 'histogram', 'summary'. */
  readonly type: string;
  readonly aggregator: string;
  readonly values: readonly MetricValueJson[];
}

export type MetricsSnapshot = readonly MetricJson[];

/** Only these only ever grow; they are what a dead worker leaves to the cluster's totals. */
const CUMULATIVE = new Set(['counter', 'histogram']);

function seriesKey(value: MetricValueJson): string {
  const labels = Object.entries(value.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${value.metricName ?? ''}\n${JSON.stringify(labels)}`;
}

/** The counters and histograms of every snapshot, summed series by series (gauges are left out). Synchronous, so no scrape sees a half-folded total. */
export function sumCumulative(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const byName = new Map<string, { readonly metric: MetricJson; readonly values: Map<string, MetricValueJson> }>();
  for (const snapshot of snapshots) {
    for (const metric of snapshot) {
      if (!CUMULATIVE.has(String(metric.type))) continue;
      let entry = byName.get(metric.name);
      if (!entry) byName.set(metric.name, (entry = { metric, values: new Map() }));
      for (const value of metric.values) {
        const key = seriesKey(value);
        entry.values.set(key, { ...value, value: (entry.values.get(key)?.value ?? 0) + value.value });
      }
    }
  }
  return [...byName.values()].map(({ metric, values }) => ({ name: metric.name, help: metric.help, type: metric.type, aggregator: metric.aggregator, values: [...values.values()] }));
}
