import { describe, expect, it } from 'vitest';
import { compareRevocationCost, revocationFigure } from '../src/revocation-cost.js';
import { renderRevocationCostTable } from '../src/render-tables.js';
import { summarise } from '../src/summary.js';
import { measurement } from './support/measurements.js';

const round = (target: 'direct' | 'gateway' | 'gateway-revocations', connections: number, r: number, p50: number, cpu: number | null) =>
  measurement('upstream-todo', target, connections, { round: r, rps: 6000, p50, cpu, p99: p50 * 3, rssKb: cpu === null ? null : (target === 'gateway' ? 90 : 94) * 1024 });

const summary = summarise([
  round('direct', 32, 1, 3000, null), round('direct', 32, 2, 3100, null), round('direct', 32, 3, 3050, null),
  round('gateway', 32, 1, 4000, 50), round('gateway', 32, 2, 4200, 54), round('gateway', 32, 3, 4100, 52),
  round('gateway-revocations', 32, 1, 4150, 53), round('gateway-revocations', 32, 2, 4050, 51), round('gateway-revocations', 32, 3, 4300, 56),
]);

describe('compareRevocationCost', () => {
  const [c32, ...rest] = compareRevocationCost(summary, 10_001);

  it('puts the revocations row beside the plain gateway at the same connection count, with the ratio of the medians', () => {
    expect(rest).toEqual([]);
    expect(c32).toMatchObject({ upstream: 'upstream-todo', connections: 32, entries: 10_001 });
    const cpu = c32!.figures.find((f) => f.metric === 'cpuUsPerReq')!;
    expect(cpu.plain).toEqual({ median: 52, min: 50, max: 54, n: 3 });
    expect(cpu.revoked).toEqual({ median: 53, min: 51, max: 56, n: 3 });
    expect(cpu.ratio).toBeCloseTo(53 / 52, 10);
    expect(cpu.measurable).toBe(false);
    const p50 = c32!.figures.find((f) => f.metric === 'p50Us')!;
    expect(p50.ratio).toBeCloseTo(4150 / 4100, 10);
    const rss = c32!.figures.find((f) => f.metric === 'rssMb')!;
    expect(rss).toMatchObject({ plain: { median: 90 }, revoked: { median: 94 }, measurable: true });
  });

  it('is empty when the revocations row was not measured', () => {
    expect(compareRevocationCost(summary.filter((r) => r.target !== 'gateway-revocations'))).toEqual([]);
  });
});

describe('revocationFigure', () => {
  const plain = summary.find((r) => r.target === 'gateway')!;
  const one = (p50: number, cpu: number) => summarise([round('gateway-revocations', 32, 1, p50, cpu)])[0]!;

  it('calls a median above the plain gateway\'s worst round measurable, and one below its best noise', () => {
    expect(revocationFigure(plain, one(5000, 70), 'cpuUsPerReq')).toMatchObject({ ratio: 70 / 52, measurable: true });
    expect(revocationFigure(plain, one(5000, 54), 'cpuUsPerReq')).toMatchObject({ measurable: false }); // at the max: not above it
    expect(revocationFigure(plain, one(3000, 40), 'p50Us')).toMatchObject({ measurable: false });
  });

  it('says nothing without a plain row, or with a single plain round (no spread to judge by)', () => {
    expect(revocationFigure(undefined, one(5000, 70), 'cpuUsPerReq')).toMatchObject({ plain: null, ratio: null, measurable: null });
    const onePlain = summarise([round('gateway', 32, 1, 4000, 50)])[0]!;
    expect(revocationFigure(onePlain, one(5000, 70), 'p50Us')).toMatchObject({ ratio: 1.25, measurable: null });
  });
});

describe('renderRevocationCostTable', () => {
  it('shows both gateways with min–max, the ratio and the verdict per figure', () => {
    const rows = renderRevocationCostTable(compareRevocationCost(summary, 10_001)).split('\n');
    expect(rows[0]).toBe("| conns | figure | gateway | gateway, 10,001 revocations | with ÷ without | measurable (median above the plain gateway's max) |");
    expect(rows).toContain('| 32 | proxy CPU µs/req | 52.0 (50.0–54.0) | 53.0 (51.0–56.0) | 1.019× | no |');
    expect(rows).toContain('| 32 | p50 µs | 4100 (4000–4200) | 4150 (4050–4300) | 1.012× | no |');
    expect(rows).toContain('| 32 | proxy RSS MB (peak under load) | 90 (90–90) | 94 (94–94) | 1.044× | **yes** |');
  });
});
