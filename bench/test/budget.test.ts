import { describe, expect, it } from 'vitest';
import { TARGETS, evaluateTargets, rowVerdict } from '../src/budget.js';
import { summarise } from '../src/summary.js';
import { measurement as m } from './support/measurements.js';

describe('rowVerdict (the 10% budget per row)', () => {
  it('is within budget exactly at the limits', () => {
    expect(rowVerdict(0.95, 1.1)).toBe('within budget');
  });
  it('is over budget just past either limit', () => {
    expect(rowVerdict(0.949, 1.0)).toBe('over budget');
    expect(rowVerdict(1.0, 1.101)).toBe('over budget');
  });
  it('is unknown without a ratio', () => {
    expect(rowVerdict(Number.NaN, 1)).toBe('unknown');
  });
});

describe('summarise', () => {
  const summary = summarise([
    m('upstream-todo', 'direct', 1, { round: 1, rps: 1000, p50: 100 }), m('upstream-todo', 'direct', 1, { round: 2, rps: 900, p50: 120 }), m('upstream-todo', 'direct', 1, { round: 3, rps: 1100, p50: 110 }),
    m('upstream-todo', 'gateway', 1, { round: 1, rps: 800, p50: 160, cpu: 40, rssKb: 1000 }), m('upstream-todo', 'gateway', 1, { round: 2, rps: 700, p50: 190, cpu: 44, rssKb: 3000 }),
    m('upstream-todo', 'gateway', 1, { round: 3, rps: 900, p50: 170, cpu: 42, rssKb: 2000 }),
  ]);

  it('reports medians with min–max over the rounds', () => {
    const direct = summary.find((r) => r.target === 'direct')!;
    expect(direct.rps).toEqual({ median: 1000, min: 900, max: 1100, n: 3 });
    expect(direct.p50Us.median).toBe(110);
    expect(direct.verdict).toBe('baseline');
    expect(direct.proxyCpuUsPerReq).toBeNull();
    expect(direct.proxyRssKb).toBeNull();
  });

  it('states ratios of medians against direct, the p50 added, CPU and RSS', () => {
    const gw = summary.find((r) => r.target === 'gateway')!;
    expect(gw.vsDirect!.rps).toBeCloseTo(0.8, 10);
    expect(gw.vsDirect!.p50).toBeCloseTo(170 / 110, 10);
    expect(gw.vsDirect!.addedP50Us).toBe(60);
    expect(gw.proxyCpuUsPerReq!.median).toBe(42);
    expect(gw.proxyRssKb).toEqual({ median: 2000, min: 1000, max: 3000, n: 3 });
    expect(gw.verdict).toBe('over budget');
  });

  it('has no ratio and an unknown verdict without a direct baseline', () => {
    const [row] = summarise([m('fastapi', 'nginx', 32, { rps: 500, p50: 1000 })]);
    expect(row!.vsDirect).toBeNull();
    expect(row!.verdict).toBe('unknown');
  });
});

describe('evaluateTargets', () => {
  const todo = (gatewayCpu: number, gatewayAddedP50: number) => [
    m('upstream-todo', 'direct', 1, { rps: 1000, p50: 100 }), m('upstream-todo', 'nginx', 1, { rps: 950, p50: 130, cpu: 20 }),
    m('upstream-todo', 'floor', 1, { rps: 900, p50: 160, cpu: 30 }), m('upstream-todo', 'gateway', 1, { rps: 900, p50: 100 + gatewayAddedP50, cpu: 60 }),
    m('upstream-todo', 'direct', 32, { rps: 9000, p50: 3000 }), m('upstream-todo', 'nginx', 32, { rps: 8500, p50: 3100, cpu: 15 }),
    m('upstream-todo', 'floor', 32, { rps: 8200, p50: 3200, cpu: 35 }), m('upstream-todo', 'gateway', 32, { rps: 8000, p50: 3300, cpu: gatewayCpu }),
  ];
  const byId = (summary: ReturnType<typeof summarise>) => Object.fromEntries(evaluateTargets(summary).map((t) => [t.id, t]));

  it('judges the absolute and the floor-relative upstream-todo targets, nginx and the floor beside', () => {
    // floor adds 60 µs at c=1 and uses 35 µs at c=32: the limits are 78 µs added and 45.5 µs.
    const at = byId(summarise(todo(TARGETS.todoCpuMaxUs, 78)));
    expect(at['todo-32-cpu']).toMatchObject({ measured: 45, met: true, nginx: 15, floor: 35 });
    expect(at['todo-32-cpu-vs-floor']!.measured).toBeCloseTo(45 / 35, 10);
    expect(at['todo-32-cpu-vs-floor']).toMatchObject({ met: true, floor: null });
    expect(at['todo-32-cpu-vs-floor']!.nginx).toBeCloseTo(15 / 35, 10);
    expect(at['todo-1-added-p50']).toMatchObject({ measured: 78, met: true, nginx: 30, floor: 60 });
    expect(at['todo-1-added-p50-vs-floor']).toMatchObject({ measured: 1.3, met: true });

    const past = byId(summarise(todo(46, 79)));
    expect(past['todo-32-cpu']!.met).toBe(false);
    expect(past['todo-32-cpu-vs-floor']!.met).toBe(false); // 46 / 35 = 1.314
    expect(past['todo-1-added-p50-vs-floor']!.met).toBe(false); // 79 / 60 = 1.317
    expect(past['todo-1-added-p50']!.met).toBe(true);
  });

  it('says "not measured" for what the run did not measure', () => {
    const none = byId(summarise(todo(40, 50)));
    expect(none['fastapi-32-rps']).toMatchObject({ measured: null, met: null });
    const noFloor = byId(summarise(todo(40, 50).filter((x) => x.target !== 'floor')));
    expect(noFloor['todo-32-cpu-vs-floor']).toMatchObject({ measured: null, met: null });
    expect(noFloor['todo-32-cpu']!.met).toBe(true);
  });

  it('meets the FastAPI targets at the boundary and misses them past it', () => {
    const run = (rps32: number, p50x32: number, p50x1: number) => byId(summarise([
      m('fastapi', 'direct', 32, { rps: 1000, p50: 1000 }), m('fastapi', 'gateway', 32, { rps: rps32, p50: p50x32 }),
      m('fastapi', 'direct', 1, { rps: 400, p50: 2000 }), m('fastapi', 'gateway', 1, { rps: 390, p50: p50x1 }),
    ]));
    const at = run(970, 1050, 2200);
    expect([at['fastapi-32-rps']!.met, at['fastapi-32-p50']!.met, at['fastapi-1-p50']!.met]).toEqual([true, true, true]);
    const past = run(969, 1051, 2201);
    expect([past['fastapi-32-rps']!.met, past['fastapi-32-p50']!.met, past['fastapi-1-p50']!.met]).toEqual([false, false, false]);
  });
});
