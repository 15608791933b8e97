import { describe, expect, it } from 'vitest';
import { planPlacement } from '../src/placement.js';
import { cpuSeconds, parseStat, processTree } from '../src/proc-cpu.js';
import { sampleRss, statusFieldKb } from '../src/proc-mem.js';
import { spawnPinned } from '../src/spawn-service.js';

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

describe('statusFieldKb', () => {
  it('reads VmRSS and VmHWM from /proc/<pid>/status text', () => {
    const status = 'Name:\tnode\nVmHWM:\t  123456 kB\nVmRSS:\t   98765 kB\nThreads:\t11\n';
    expect(statusFieldKb(status, 'VmRSS')).toBe(98765);
    expect(statusFieldKb(status, 'VmHWM')).toBe(123456);
    expect(statusFieldKb('Name:\tkthread\n', 'VmRSS')).toBeUndefined();
  });
});

describe.skipIf(process.platform !== 'linux')('sampleRss', () => {
  it('reports this process\'s resident memory, in kB, within what Node itself says', () => {
    const peak = sampleRss(process.pid, 10).stop();
    expect(peak).not.toBeNull();
    const rssKb = process.memoryUsage().rss / 1024;
    expect(peak!).toBeGreaterThan(rssKb / 2);
    expect(peak!).toBeLessThan(rssKb * 2);
  });
});

describe('spawnPinned', () => {
  it('drains the child\'s stdout and counts its lines (the gateway\'s access log)', async () => {
    const child = spawnPinned({ name: 'printer', command: process.execPath, args: ['-e', 'for (let i = 0; i < 500; i++) console.log(JSON.stringify({ i, msg: "request" }))'] });
    await child.exited;
    // 'exit' can precede the last 'data' on the pipe: wait for the stream to end as well.
    if (!child.child.stdout!.readableEnded) await new Promise((resolve) => child.child.stdout!.once('end', resolve));
    expect(child.stdoutLines()).toBe(500);
  });
});
