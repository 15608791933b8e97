// target-rounds.ts: each target as each round alone gives it, beside the verdict on the medians.
import { describe, expect, it } from 'vitest';
import { renderTargets } from '../src/render-results.js';
import { evaluateTargetsByRound } from '../src/target-rounds.js';
import { measurement as m } from './support/measurements.js';

/** upstream-todo at 32 connections over three rounds: the floor at 100 µs, the gateway as given. */
function rounds(gatewayCpu: readonly number[]) {
  return gatewayCpu.flatMap((cpu, i) => [
    m('upstream-todo', 'direct', 32, { round: i + 1, rps: 9000, p50: 3000 }),
    m('upstream-todo', 'floor', 32, { round: i + 1, rps: 8000, p50: 3200, cpu: 100 }),
    m('upstream-todo', 'gateway', 32, { round: i + 1, rps: 7000, p50: 3400, cpu }),
  ]);
}

const byId = (ms: ReturnType<typeof rounds>) => Object.fromEntries(evaluateTargetsByRound(ms).map((t) => [t.id, t]));

describe('evaluateTargetsByRound', () => {
  it('keeps the verdict on the medians and adds the range and count of the rounds', () => {
    const t = byId(rounds([120, 210, 125]))['todo-32-cpu-vs-floor']!;
    expect(t.measured).toBeCloseTo(1.25, 10); // median 125 ÷ 100
    expect(t.met).toBe(true);
    expect(t.rounds!.min).toBeCloseTo(1.2, 10);
    expect(t.rounds!.max).toBeCloseTo(2.1, 10);
    expect(t.rounds!.median).toBeCloseTo(1.25, 10);
    expect(t.rounds).toMatchObject({ met: 2, of: 3 });
  });

  it('pairs each round with its own floor, not with the median floor', () => {
    const ms = rounds([130, 130, 130]).map((x) => (x.target === 'floor' && x.round === 2 ? { ...x, proxyCpuUsPerReq: 200 } : x));
    const t = byId(ms)['todo-32-cpu-vs-floor']!;
    expect(t.rounds!.min).toBeCloseTo(0.65, 10);
    expect(t.rounds!.max).toBeCloseTo(1.3, 10);
    // The ratio of medians is 130 ÷ 100; paired with its own round's floor, round 2 reads 0.65×.
    expect(t.measured).toBeCloseTo(1.3, 10);
    expect(t.rounds!.median).toBeCloseTo(1.3, 10);
    expect(t.rounds).toMatchObject({ met: 3, of: 3 });
  });

  it('gives the paired median where the ratio of medians mixes rounds (a host that drifts)', () => {
    // Every round: the gateway adds 1.3× what the floor adds. The medians come from different
    // rounds (direct 100, floor 250, gateway 265), and their ratio reads 165 ÷ 150 = 1.1×.
    const at = (round: number, direct: number, floor: number, gateway: number) => [
      m('upstream-todo', 'direct', 1, { round, rps: 9000, p50: direct }),
      m('upstream-todo', 'floor', 1, { round, rps: 5000, p50: floor, cpu: 100 }),
      m('upstream-todo', 'gateway', 1, { round, rps: 4000, p50: gateway, cpu: 130 }),
    ];
    const t = byId([...at(1, 100, 150, 165), ...at(2, 200, 250, 265), ...at(3, 100, 250, 295)])['todo-1-added-p50-vs-floor']!;
    expect(t.measured).toBeCloseTo(1.1, 10);
    expect(t.rounds!.median).toBeCloseTo(1.3, 10);
    expect(t.rounds).toMatchObject({ met: 3, of: 3 });
  });

  it('has no rounds for a target the run did not measure', () => {
    expect(byId(rounds([120, 120, 120]))['fastapi-32-rps']).toMatchObject({ measured: null, met: null, rounds: null });
  });

  it('is rendered as its own column of the targets table', () => {
    const text = renderTargets(evaluateTargetsByRound(rounds([120, 210, 125])));
    expect(text).toContain('| verdict | gateway, round by round |');
    expect(text).toContain('| **met** | median 1.250×; 1.200× – 2.100×; met in 2 of 3 |');
    expect(text).toContain('| not measured | – |');
  });
});
