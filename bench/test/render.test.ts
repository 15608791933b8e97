import { describe, expect, it } from 'vitest';
import { evaluateTargets } from '../src/budget.js';
import { compareAll } from '../src/ratios.js';
import { compareRevocationCost } from '../src/revocation-cost.js';
import { README_END, README_START, fmtSpread, renderResultsMarkdown, renderTargets, renderUpstreamTable, spliceReadme } from '../src/render-results.js';
import type { BenchResults } from '../src/results.js';
import { summarise } from '../src/summary.js';
import { fullRun, measurement } from './support/measurements.js';

const m = (target: 'direct' | 'gateway', round: number, rps: number, p50: number, cpu: number | null, rssKb: number | null = null) =>
  measurement('upstream-todo', target, 1, { round, rps, p50, cpu, p99: p50 * 3, rssKb });

const summary = summarise([
  m('direct', 1, 10000, 80, null), m('direct', 2, 9000, 90, null), m('direct', 3, 9500, 85, null),
  m('gateway', 1, 8000, 140, 45.5, 80 * 1024), m('gateway', 2, 7000, 150, 47.25, 82 * 1024), m('gateway', 3, 7500, 145, 46, 81 * 1024),
]);

describe('renderUpstreamTable', () => {
  const table = renderUpstreamTable(summary);
  it('has one row per path with median (min–max), ratios, added p50, CPU, RSS and verdict', () => {
    const rows = table.split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[2]).toBe('| 1 | direct | 9500 (9000–10000) | 85 (80–90) | 255 (240–270) | – | – | – | – | – | 0 | baseline |');
    expect(rows[3]).toBe('| 1 | gateway (token cache) | 7500 (7000–8000) | 145 (140–150) | 435 (420–450) | 0.789× | 1.706× | +60 | 46.0 (45.5–47.3) | 81 (80–82) | 0 | over budget |');
  });
});

describe('renderTargets', () => {
  it('shows the limit, the gateway figure, nginx and the floor (– when absent) and the verdict', () => {
    const text = renderTargets(evaluateTargets(summary));
    expect(text).toContain('| upstream-todo, 1 connection: p50 the gateway adds over direct | ≤ 100 µs | 60 µs | – | – | **met** |');
    expect(text).toContain('| upstream-todo, 1 connection: p50 added ÷ what the Node floor adds | ≤ 1.30× | – | – | – | not measured |');
    expect(text).toContain('| FastAPI, 32 connections: throughput ÷ direct | ≥ 0.97× | – | – | – | not measured |');
  });

  it('prints a ratio just under its limit with enough digits that the verdict reads true', () => {
    const s = summarise([measurement('fastapi', 'direct', 32, { rps: 1000, p50: 1000 }), measurement('fastapi', 'gateway', 32, { rps: 969, p50: 1000 })]);
    expect(renderTargets(evaluateTargets(s))).toContain('| ≥ 0.97× | 0.969× | – | – | **missed** |');
  });
});

describe('renderResultsMarkdown', () => {
  const s = summarise([
    ...fullRun(),
    measurement('upstream-todo', 'gateway-revocations', 32, { rps: 5900, p50: 3125, cpu: 51, rssKb: 92 * 1024 }),
  ]);
  const results: BenchResults = {
    meta: {
      startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:05:00Z', host: { cpus: 2, model: 'CPU', kernel: 'Linux', loadAverageAtStart: 0, loadAverageAtEnd: 0 },
      versions: { node: 'v20' }, placement: 'p', latencySource: 'wrk', mix: 'mix', rounds: 3, durationSec: 5, warmupSec: 2, connections: [1, 32], quick: false, notes: [],
    },
    summary: s, comparisons: compareAll(s), targets: evaluateTargets(s), revocationCost: compareRevocationCost(s), measurements: [],
  };
  const md = renderResultsMarkdown(results, 'results/latest.svg');

  it('has the chart, the targets, a comparison per upstream and a table per upstream', () => {
    expect(md).toContain('](results/latest.svg)');
    expect(md).toContain('#### Targets');
    expect(md).toContain('#### upstream-todo: gateway vs Node floor vs nginx (cached tokens)');
    expect(md).toContain('#### fastapi: gateway vs Node floor vs nginx (cached tokens)');
    expect(md).toContain('| 32 | proxy CPU µs/req | – | 60.0 | 40.0 | 50.0 | 1.250× | 0.833× | – | – |');
    expect(md).toContain('| 1 | p50 added µs | – | +150 | +100 | +120 | 1.200× | 0.800× | – | – |');
    expect(md).toContain('| 32 | proxy RSS MB (peak under load) | – | 8 | 60 | 90 | 1.500× | 11.250× | – | – |');
    expect(md).toContain('#### FastAPI + SQLModel/SQLite');
  });

  it('reports the revocation list\'s cost beside the plain gateway, and the row in the upstream table', () => {
    expect(md).toContain('#### upstream-todo: revocation lookups — the gateway with 10,001 live revocations vs without');
    expect(md).toContain('| 32 | proxy CPU µs/req | 50.0 | 51.0 | 1.020× | – |');
    expect(md).toContain('| 32 | p50 µs | 3120 | 3125 | 1.002× | – |');
    expect(md).toMatch(/\| 32 \| gateway, 10k revocations \| 5900 \| 3125 \|/);
    expect(md.indexOf('revocation lookups')).toBeLessThan(md.indexOf('#### upstream-todo (Node'));
  });

  it('has no revocation section when the row was not measured', () => {
    expect(renderResultsMarkdown({ ...results, revocationCost: [] })).not.toContain('revocation lookups');
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
