import { describe, expect, it } from 'vitest';
import { planPlacement } from '../src/placement.js';
import { cpuSeconds, parseStat, processTree } from '../src/proc-cpu.js';

describe('planPlacement', () => {
  it('on two cores gives the proxy a core of its own, away from the upstream', () => {
    const p = planPlacement(2, true);
    expect(p).toMatchObject({ upstream: [0], loadgen: [0], proxy: [1], pinned: true });
  });
  it('separates all three on larger machines', () => {
    expect(planPlacement(3, true)).toMatchObject({ upstream: [0], loadgen: [1], proxy: [2] });
    expect(planPlacement(8, true)).toMatchObject({ upstream: [0], loadgen: [1], proxy: [2, 3] });
  });
  it('says so when it cannot pin', () => {
    const p = planPlacement(4, false);
    expect(p.pinned).toBe(false);
    expect(p.note).toMatch(/taskset/);
  });
});

describe('parseStat', () => {
  it('finds ppid and user+system ticks even when the command name holds spaces and parentheses', () => {
    const fields = ['S', '4242', '1', '1', '0', '-1', '4194560', '100', '0', '0', '0', '1234', '567', '0', '0'];
    expect(parseStat(`77 (node (worker) 1) ${fields.join(' ')}`)).toEqual({ ppid: 4242, ticks: 1801 });
  });
  it('returns undefined for garbage', () => {
    expect(parseStat('no parens here')).toBeUndefined();
  });
});

describe.skipIf(process.platform !== 'linux')('cpuSeconds', () => {
  it('grows while this process burns CPU', () => {
    const before = cpuSeconds(process.pid);
    // Burn 60 ms of CPU time (not wall time: a busy machine may schedule us rarely), bounded at 5 s.
    const start = process.cpuUsage();
    const deadline = Date.now() + 5000;
    let x = 0;
    while (Date.now() < deadline) {
      for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
      const used = process.cpuUsage(start);
      if (used.user + used.system > 60_000) break;
    }
    expect(x).toBeGreaterThan(0);
    expect(cpuSeconds(process.pid)).toBeGreaterThan(before);
    expect(processTree(process.pid)[0]).toBe(process.pid);
  });
});
