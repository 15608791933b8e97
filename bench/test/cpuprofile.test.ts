import { describe, expect, it } from 'vitest';
import { parseCpuProfile, renderTopSelfTime, selfTimes, type CpuProfile } from '../src/cpuprofile.js';

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });

/** Samples of 1 ms, 2 ms, … as V8 records them: each delta is the gap before that sample. */
function profile(samples: number[], deltas: number[], endGap: number): CpuProfile {
  const startTime = 1_000_000;
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('verify', 'file:///app/dist/verify.js', 9) },
      { id: 4, callFrame: frame('', 'file:///app/dist/server.js', 41) },
      { id: 5, callFrame: frame('verify', 'file:///app/dist/verify.js', 30) }, // same function, other call site
      { id: 6, callFrame: frame('(garbage collector)') },
    ],
    startTime,
    endTime: startTime + deltas.reduce((a, b) => a + b, 0) + endGap,
    samples,
    timeDeltas: deltas,
  };
}

describe('selfTimes', () => {
  it('gives each sample the time until the next one, and the last until endTime', () => {
    const p = profile([3, 4, 2, 3], [0, 100, 300, 50], 25);
    const r = selfTimes([p]);
    const byName = Object.fromEntries(r.rows.map((row) => [row.functionName, row.selfUs]));
    // verify: 100 (until sample 2) + 25 (last, until endTime); anonymous: 300; idle: 50
    expect(byName).toEqual({ verify: 125, '(anonymous)': 300, '(idle)': 50 });
    expect(r.totalUs).toBe(475);
    expect(r.busyUs).toBe(425);
  });

  it('counts only samples inside a window of the same clock (the load run, not start-up)', () => {
    const p = profile([3, 4, 2, 3], [0, 100, 300, 50], 25); // samples at +0, +100, +400, +450
    const r = selfTimes([p], { fromUs: p.startTime + 50, toUs: p.startTime + 420 });
    expect(Object.fromEntries(r.rows.map((row) => [row.functionName, row.selfUs]))).toEqual({ '(anonymous)': 300, '(idle)': 50 });
  });

  it('adds up call sites of one function and several files (cluster workers)', () => {
    const a = profile([3, 5, 6], [0, 40, 60], 10);
    const b = profile([5, 1], [0, 200], 0);
    const r = selfTimes([a, b]);
    const verify = r.rows.find((row) => row.functionName === 'verify')!;
    expect(verify).toMatchObject({ url: 'file:///app/dist/verify.js', selfUs: 40 + 60 + 200 });
    expect(r.rows[0]!.functionName).toBe('verify'); // sorted by self time
    expect(r.rows.find((row) => row.functionName === '(garbage collector)')!.selfUs).toBe(10);
  });
});

describe('renderTopSelfTime', () => {
  it('lists the top functions by self time, idle left out, with share of busy time and where they live', () => {
    const r = selfTimes([profile([3, 4, 2, 3], [0, 100, 300, 50], 25)]);
    const text = renderTopSelfTime(r, 25, (u) => u.replace('file:///app/', ''));
    expect(text).toContain('| 1 | 0.3 | 70.6% | `(anonymous)` | dist/server.js:42 |');
    expect(text).toContain('| 2 | 0.1 | 29.4% | `verify` | dist/verify.js:10 |');
    expect(text).not.toContain('(idle)`');
  });
});

describe('parseCpuProfile', () => {
  it('accepts a V8 profile and refuses anything else', () => {
    expect(parseCpuProfile(JSON.stringify(profile([3], [0], 5))).samples).toEqual([3]);
    expect(() => parseCpuProfile('{"nodes":[]}')).toThrow(/not a V8 CPU profile/);
  });
});
