import { describe, expect, it } from 'vitest';
import { evaluateTargets, rowVerdict, summarise } from '../src/budget.js';
import type { Measurement, TargetId, UpstreamId } from '../src/results.js';

function m(upstream: UpstreamId, target: TargetId, connections: number, round: number, rps: number, p50: number, cpu: number | null = null): Measurement {
  return {
    upstream, target, connections, round, requests: Math.round(rps * 5), rps, failures: 0,
    latencyUs: { p50, p90: p50 * 2, p99: p50 * 4, p999: p50 * 8, mean: p50, max: p50 * 10 },
    proxyCpuUsPerReq: cpu, upstreamCpuUsPerReq: 100,
  };
}

describe('rowVerdict (the 10% budget)', () => {
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
  const rounds = [
    m('upstream-todo', 'direct', 1, 1, 1000, 100), m('upstream-todo', 'direct', 1, 2, 900, 120), m('upstream-todo', 'direct', 1, 3, 1100, 110),
    m('upstream-todo', 'gateway', 1, 1, 800, 160, 40), m('upstream-todo', 'gateway', 1, 2, 700, 190, 44), m('upstream-todo', 'gateway', 1, 3, 900, 170, 42),
  ];
  const summary = summarise(rounds);

  it('reports medians with min–max over the rounds', () => {
    const direct = summary.find((r) => r.target === 'direct')!;
    expect(direct.rps).toEqual({ median: 1000, min: 900, max: 1100, n: 3 });
    expect(direct.p50Us.median).toBe(110);
    expect(direct.verdict).toBe('baseline');
    expect(direct.proxyCpuUsPerReq).toBeNull();
  });

  it('states ratios of medians against direct and the p50 added', () => {
    const gw = summary.find((r) => r.target === 'gateway')!;
    expect(gw.vsDirect!.rps).toBeCloseTo(0.8, 10);
    expect(gw.vsDirect!.p50).toBeCloseTo(170 / 110, 10);
    expect(gw.vsDirect!.addedP50Us).toBe(60);
    expect(gw.proxyCpuUsPerReq!.median).toBe(42);
    expect(gw.verdict).toBe('over budget');
  });

  it('has no ratio and an unknown verdict without a direct baseline', () => {
    const [row] = summarise([m('fastapi', 'nginx', 32, 1, 500, 1000)]);
    expect(row!.vsDirect).toBeNull();
    expect(row!.verdict).toBe('unknown');
  });
});

describe('evaluateTargets', () => {
  it('judges each issue target, with nginx beside, and says what was not measured', () => {
    const summary = summarise([
      m('upstream-todo', 'direct', 1, 1, 1000, 100), m('upstream-todo', 'gateway', 1, 1, 900, 180), m('upstream-todo', 'nginx', 1, 1, 950, 130),
      m('upstream-todo', 'direct', 32, 1, 9000, 3000), m('upstream-todo', 'gateway', 32, 1, 8000, 3300, 55), m('upstream-todo', 'nginx', 32, 1, 8500, 3100, 15),
      m('upstream-todo', 'node-proxy', 32, 1, 8200, 3200, 48),
    ]);
    const byId = Object.fromEntries(evaluateTargets(summary).map((t) => [t.id, t]));
    expect(byId['todo-1-added-p50']).toMatchObject({ measured: 80, met: true, nginx: 30, nodeProxy: null });
    expect(byId['todo-cpu-per-request']).toMatchObject({ measured: 55, met: false, nginx: 15, nodeProxy: 48 });
    expect(byId['fastapi-32-rps']).toMatchObject({ measured: null, met: null });
  });

  it('meets the FastAPI targets at the boundary and misses them past it', () => {
    const at = evaluateTargets(summarise([m('fastapi', 'direct', 32, 1, 1000, 1000), m('fastapi', 'gateway', 32, 1, 950, 1100)]));
    expect(at.filter((t) => t.id.startsWith('fastapi')).map((t) => t.met)).toEqual([true, true]);
    const past = evaluateTargets(summarise([m('fastapi', 'direct', 32, 1, 1000, 1000), m('fastapi', 'gateway', 32, 1, 940, 1120)]));
    expect(past.filter((t) => t.id.startsWith('fastapi')).map((t) => t.met)).toEqual([false, false]);
  });
});
