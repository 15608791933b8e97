// The metrics moved on every request, kept as plain numbers per label set and turned into
// prom-client's exposition shape only when scraped. prom-client's own Counter and Histogram
// re-validate and re-hash the labels on every inc/observe, even through a `labels()` child, and
// key histogram buckets by the bound as a property name: together ~5 µs of every request under
// load (bench/README.md, "Where the microseconds go"). A series here is looked up once per label
// set by the caller and then only adds numbers.
//
// Both classes are prom-client metrics as far as a Registry is concerned (name, help, type,
// aggregator, get(), reset()), so /metrics, the cluster's sums and the dashboard see no
// difference.
import type { Registry } from 'prom-client';

type Labels = Readonly<Record<string, string>>;

interface ExportedValue {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName?: string;
}

interface Exported {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly values: ExportedValue[];
  readonly aggregator: 'sum';
}

abstract class HotMetric<S> {
  readonly aggregator = 'sum' as const;
  protected series = new Map<string, { readonly labels: Labels; readonly state: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series of these label values (in labelNames order), created at zero on first use. */
  protected seriesOf(values: readonly string[]): S {
    const key = values.join('\n');
    let entry = this.series.get(key);
    if (entry === undefined) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
      entry = { labels, state: this.zero() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  protected abstract zero(): S;

  reset(): void {
    this.series = new Map();
  }
}

export interface CounterSeries {
  value: number;
}

export class HotCounter extends HotMetric<CounterSeries> {
  readonly type = 'counter' as const;

  labels(...values: string[]): { inc(): void } {
    const state = this.seriesOf(values);
    return { inc: () => void state.value++ };
  }

  protected zero(): CounterSeries {
    return { value: 0 };
  }

  async get(): Promise<Exported> {
    const values = [...this.series.values()].map(({ labels, state }) => ({ value: state.value, labels: { ...labels } }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export interface HistogramSeries {
  /** Observations per bucket, not cumulative; the last slot is above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class HotHistogram extends HotMetric<HistogramSeries> {
  readonly type = 'histogram' as const;

  constructor(name: string, help: string, labelNames: readonly string[], private readonly bounds: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
  }

  labels(...values: string[]): { observe(seconds: number): void } {
    const state = this.seriesOf(values);
    const bounds = this.bounds;
    return {
      observe(seconds: number): void {
        if (!Number.isFinite(seconds)) return;
        let i = 0;
        while (i < bounds.length && seconds > bounds[i]!) i++;
        state.counts[i]!++;
        state.sum += seconds;
        state.count++;
      },
    };
  }

  protected zero(): HistogramSeries {
    return { counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
  }

  async get(): Promise<Exported> {
    const values: ExportedValue[] = [];
    for (const { labels, state } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += state.counts[i]!;
        values.push({ value: cumulative, labels: { le, ...labels }, metricName: `${this.name}_bucket` });
      });
      values.push({ value: state.count, labels: { le: '+Inf', ...labels }, metricName: `${this.name}_bucket` });
      values.push({ value: state.sum, labels: { ...labels }, metricName: `${this.name}_sum` });
      values.push({ value: state.count, labels: { ...labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
