// process/cluster/metrics-snapshot.ts: what a dead worker leaves to the cluster's totals — its
// counters and histograms, summed series by series with the retired total; never its gauges.
// Snapshots come from real prom-client registries, as the workers report them.
import { describe, expect, it } from 'vitest';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { sumCumulative, type MetricsSnapshot } from '../../src/process/cluster/metrics-snapshot.js';
import { parseMetrics, sampleValue } from '../support/metrics.js';

function worker(requests: Record<string, number>, durations: number[], inFlight: number) {
  const registry = new Registry();
  const counter = new Counter({ name: 'x_requests_total', help: 'h', labelNames: ['status'], registers: [registry] });
  const histogram = new Histogram({ name: 'x_duration_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] });
  const gauge = new Gauge({ name: 'x_in_flight', help: 'h', registers: [registry] });
  for (const [status, n] of Object.entries(requests)) counter.inc({ status }, n);
  for (const d of durations) histogram.observe(d);
  gauge.set(inFlight);
  return registry;
}

async function snapshot(registry: Registry): Promise<MetricsSnapshot> {
  // Through JSON, as over the IPC channel.
  return JSON.parse(JSON.stringify(await registry.getMetricsAsJSON())) as MetricsSnapshot;
}

describe('sumCumulative', () => {
  it('sums counters and histograms by series and drops gauges; the sum with live workers adds up', async () => {
    const dead1 = await snapshot(worker({ '200': 3, '401': 1 }, [0.05, 2], 7));
    const dead2 = await snapshot(worker({ '200': 2 }, [0.5], 4));
    const retired = sumCumulative([sumCumulative([[], dead1]), dead2]);
    expect(retired.map((m) => m.name).sort()).toEqual(['x_duration_seconds', 'x_requests_total']);

    const live = await snapshot(worker({ '200': 1 }, [0.05], 2));
    const text = await AggregatorRegistry.aggregate([retired, live]).metrics();
    const samples = parseMetrics(text);
    expect(sampleValue(samples, 'x_requests_total', { status: '200' })).toBe(6);
    expect(sampleValue(samples, 'x_requests_total', { status: '401' })).toBe(1);
    expect(sampleValue(samples, 'x_duration_seconds_count')).toBe(4);
    expect(sampleValue(samples, 'x_duration_seconds_bucket', { le: '0.1' })).toBe(2);
    expect(sampleValue(samples, 'x_duration_seconds_bucket', { le: '+Inf' })).toBe(4);
    expect(sampleValue(samples, 'x_duration_seconds_sum')).toBeCloseTo(2.6);
    expect(sampleValue(samples, 'x_in_flight')).toBe(2); // only the live worker's
  });
});
