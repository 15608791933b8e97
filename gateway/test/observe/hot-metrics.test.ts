// The hot metrics must expose exactly what prom-client's own Counter and Histogram would: the
// same observations into both, the same /metrics text and JSON out.
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter, HotHistogram } from '../../src/observe/hot-metrics.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVED = [0.0005, 0.001, 0.002, 0.05, 0.1, 0.7, 3, 12];

function both(): { hot: Registry; reference: Registry; hotHistogram: HotHistogram; histogram: Histogram; hotCounter: HotCounter; counter: Counter } {
  const hot = new Registry();
  const reference = new Registry();
  return {
    hot,
    reference,
    hotHistogram: new HotHistogram('t_seconds', 'help h', ['route', 'method'], BUCKETS, hot),
    histogram: new Histogram({ name: 't_seconds', help: 'help h', labelNames: ['route', 'method'], buckets: BUCKETS, registers: [reference] }),
    hotCounter: new HotCounter('t_total', 'help c', ['route', 'status'], hot),
    counter: new Counter({ name: 't_total', help: 'help c', labelNames: ['route', 'status'], registers: [reference] }),
  };
}

describe('hot metrics', () => {
  it('expose the same text and JSON as prom-client for the same observations (bounds inclusive, +Inf, sum, count)', async () => {
    const m = both();
    for (const [route, method] of [['/a/:id', 'GET'], ['/b', 'POST']] as const) {
      const series = m.hotHistogram.labels(route, method);
      for (const v of OBSERVED) {
        series.observe(v);
        m.histogram.labels(route, method).observe(v);
      }
    }
    const ok = m.hotCounter.labels('/a/:id', '200');
    for (let i = 0; i < 5; i++) {
      ok.inc();
      m.counter.labels('/a/:id', '200').inc();
    }
    m.hotCounter.labels('/b', '401').inc();
    m.counter.labels('/b', '401').inc();
    expect(await m.hot.metrics()).toBe(await m.reference.metrics());
    // prom-client adds `exemplar: null` to bucket values; nothing reads it without exemplars on.
    const withoutExemplars = (json: unknown) => JSON.parse(JSON.stringify(json, (key, value) => (key === 'exemplar' ? undefined : value)));
    expect(await m.hot.getMetricsAsJSON()).toEqual(withoutExemplars(await m.reference.getMetricsAsJSON()));
  });

  it('a series exists from its first lookup (at zero), and reset() empties them', async () => {
    const m = both();
    m.hotCounter.labels('/a', '200');
    expect(await m.hot.metrics()).toContain('t_total{route="/a",status="200"} 0');
    m.hot.resetMetrics();
    expect(await m.hot.metrics()).not.toContain('route="/a"');
  });

  it('ignores a value that is not a finite number rather than corrupting the sum', async () => {
    const m = both();
    const series = m.hotHistogram.labels('/a', 'GET');
    series.observe(Number.NaN);
    series.observe(0.5);
    expect(await m.hot.metrics()).toContain('t_seconds_count{route="/a",method="GET"} 1');
    expect(await m.hot.metrics()).toContain('t_seconds_sum{route="/a",method="GET"} 0.5');
  });
});
