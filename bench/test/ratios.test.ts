import { describe, expect, it } from 'vitest';
import { compareAll, compareOne, metricIn, ratioOf } from '../src/ratios.js';
import { summarise } from '../src/summary.js';
import { fullRun, measurement as m } from './support/measurements.js';

describe('ratioOf', () => {
  it('divides, and states nothing against a missing, zero or negative denominator', () => {
    expect(ratioOf(6, 4)).toBe(1.5);
    expect(ratioOf(null, 4)).toBeNull();
    expect(ratioOf(6, null)).toBeNull();
    expect(ratioOf(6, 0)).toBeNull();
    expect(ratioOf(6, -3)).toBeNull(); // a path "adding" negative latency is noise, not a baseline
    expect(ratioOf(Number.NaN, 2)).toBeNull();
  });
});

describe('compareOne (cached)', () => {
  const summary = summarise(fullRun());
  const c32 = compareOne(summary, 'upstream-todo', 32, 'cached');
  const c1 = compareOne(summary, 'upstream-todo', 1, 'cached');

  it('puts CPU per request side by side: gateway ÷ floor and ÷ nginx, nothing ÷ direct', () => {
    const cpu = metricIn(c32, 'cpuUsPerReq')!;
    expect(cpu).toMatchObject({ direct: null, nginx: 60, floor: 40, gateway: 50, floorVsDirect: null, nginxVsDirect: null, gatewayVsDirect: null });
    expect(cpu.gatewayVsFloor).toBeCloseTo(1.25, 10);
    expect(cpu.gatewayVsNginx).toBeCloseTo(50 / 60, 10);
  });

  it('compares the p50 each proxy adds over direct at 1 connection', () => {
    const added = metricIn(c1, 'addedP50Us')!;
    expect(added).toMatchObject({ direct: null, nginx: 150, floor: 100, gateway: 120 });
    expect(added.gatewayVsFloor).toBeCloseTo(1.2, 10);
    expect(added.gatewayVsNginx).toBeCloseTo(0.8, 10);
  });

  it('states throughput as a multiple of direct for floor, nginx and gateway', () => {
    const rps = metricIn(c32, 'rps')!;
    expect(rps.floorVsDirect).toBeCloseTo(6500 / 9000, 10);
    expect(rps.nginxVsDirect).toBeCloseTo(6000 / 9000, 10);
    expect(rps.gatewayVsDirect).toBeCloseTo(6000 / 9000, 10);
    expect(rps.gatewayVsFloor).toBeCloseTo(6000 / 6500, 10);
  });

  it('reports RSS in MB and the gateway ÷ floor ratio', () => {
    const rss = metricIn(c32, 'rssMb')!;
    expect(rss).toMatchObject({ nginx: 8, floor: 60, gateway: 90, direct: null });
    expect(rss.gatewayVsFloor).toBeCloseTo(1.5, 10);
  });
});

describe('compareOne (uncached)', () => {
  it('pairs the uncached gateway with the uncached floor of the same algorithm', () => {
    const summary = summarise([
      m('upstream-todo', 'direct', 32, { rps: 9000, p50: 3000 }),
      m('upstream-todo', 'floor-uncached-eddsa', 32, { rps: 4000, p50: 6000, cpu: 100 }),
      m('upstream-todo', 'gateway-uncached-eddsa', 32, { rps: 2500, p50: 12000, cpu: 400 }),
      m('upstream-todo', 'gateway-uncached-hs256', 32, { rps: 4000, p50: 7000, cpu: 230 }),
    ]);
    const ed = compareOne(summary, 'upstream-todo', 32, 'uncached-eddsa');
    expect(metricIn(ed, 'cpuUsPerReq')).toMatchObject({ floor: 100, gateway: 400, gatewayVsFloor: 4 });
    const hs = compareOne(summary, 'upstream-todo', 32, 'uncached-hs256');
    expect(metricIn(hs, 'cpuUsPerReq')).toMatchObject({ floor: null, gateway: 230, gatewayVsFloor: null });
  });
});

describe('compareAll', () => {
  it('has one comparison per upstream × connections × variant that was measured, in measured order', () => {
    const all = compareAll(summarise(fullRun()));
    expect(all.map((c) => `${c.upstream} ${c.connections} ${c.variant}`)).toEqual([
      'upstream-todo 1 cached', 'upstream-todo 32 cached', 'fastapi 1 cached', 'fastapi 32 cached',
    ]);
  });
});
