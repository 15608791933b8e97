import { describe, expect, it } from 'vitest';
import { evaluateTargets, summarise } from '../src/budget.js';
import { README_END, README_START, fmtSpread, renderTargets, renderUpstreamTable, spliceReadme } from '../src/render-results.js';
import type { Measurement, TargetId } from '../src/results.js';

function m(target: TargetId, round: number, rps: number, p50: number, cpu: number | null): Measurement {
  return {
    upstream: 'upstream-todo', target, connections: 1, round, requests: rps, rps, failures: 0,
    latencyUs: { p50, p90: p50, p99: p50 * 3, p999: p50 * 5, mean: p50, max: p50 * 9 },
    proxyCpuUsPerReq: cpu, upstreamCpuUsPerReq: 80,
  };
}

const summary = summarise([
  m('direct', 1, 10000, 80, null), m('direct', 2, 9000, 90, null), m('direct', 3, 9500, 85, null),
  m('gateway', 1, 8000, 140, 45.5), m('gateway', 2, 7000, 150, 47.25), m('gateway', 3, 7500, 145, 46),
]);

describe('renderUpstreamTable', () => {
  const table = renderUpstreamTable(summary);
  it('has one row per path with median (min–max), ratios, added p50, CPU and verdict', () => {
    const rows = table.split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[2]).toBe('| 1 | direct | 9500 (9000–10000) | 85 (80–90) | 255 (240–270) | – | – | – | – | 0 | baseline |');
    expect(rows[3]).toBe('| 1 | gateway (token cache) | 7500 (7000–8000) | 145 (140–150) | 435 (420–450) | 0.789× | 1.706× | +60 | 46.0 (45.5–47.3) | 0 | over budget |');
  });
});

describe('renderTargets', () => {
  it('shows limit, the gateway figure, nginx and the bare proxy (– when absent) and the verdict', () => {
    const text = renderTargets(evaluateTargets(summary, 1));
    expect(text).toContain('| upstream-todo, 1 connection: p50 the gateway adds | ≤ 100 µs | 60 µs | – | – | **met** |');
    expect(text).toContain('gateway CPU per proxied request (cached token) | ≤ 50 µs | 46 µs | – | – | **met** |');
    expect(text).toContain('| ≥ 0.95× | – | – | – | not measured |');
  });
});

describe('fmtSpread', () => {
  it('prints a single round without a range and nothing as a dash', () => {
    expect(fmtSpread({ median: 5, min: 5, max: 5, n: 1 })).toBe('5');
    expect(fmtSpread(null)).toBe('–');
  });
});

describe('spliceReadme', () => {
  it('replaces only the marked section', () => {
    const before = `# bench\n\nintro\n\n${README_START}\nold table\n${README_END}\n\nafter\n`;
    const after = spliceReadme(before, 'new table\n');
    expect(after).toBe(`# bench\n\nintro\n\n${README_START}\nnew table\n${README_END}\n\nafter\n`);
  });
  it('appends the section when the README has none', () => {
    expect(spliceReadme('# bench\n', 'T')).toBe(`# bench\n\n${README_START}\nT\n${README_END}\n`);
  });
});

describe('renderTargets ratios', () => {
  it('prints a ratio just under its limit with enough digits that the verdict reads true', () => {
    const rows = [
      { upstream: 'fastapi', target: 'direct', connections: 32, round: 1, rps: 1000, p50: 1000 },
      { upstream: 'fastapi', target: 'gateway', connections: 32, round: 1, rps: 946, p50: 1000 },
    ] as const;
    const summary = summarise(rows.map((r) => ({ ...m(r.target, r.round, r.rps, r.p50, null), upstream: r.upstream, connections: r.connections })));
    expect(renderTargets(evaluateTargets(summary))).toContain('| ≥ 0.95× | 0.946× | – | – | **missed** |');
  });
});
