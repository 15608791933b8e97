import { describe, expect, it } from 'vitest';
import { BENCH_USAGE, TODO_ONLY_TARGETS, parseBenchArgs } from '../src/bench-options.js';
import { pinnedCommand } from '../src/placement.js';

function ok(argv: string[]) {
  const r = parseBenchArgs(argv);
  if (!r.ok) throw new Error(r.error);
  return r.options;
}

describe('parseBenchArgs', () => {
  it('defaults to 3 rounds of 5 s at 1 and 32 connections, both upstreams, every path', () => {
    expect(ok([])).toMatchObject({ durationSec: 5, rounds: 3, warmupSec: 2, connections: [1, 32], upstreams: ['upstream-todo', 'fastapi'], quick: false, nice: undefined, retryDisturbed: 1, updateReadme: true });
    expect(ok([]).targets).toEqual(['direct', 'nginx', 'floor', 'gateway', 'gateway-revocations', 'floor-uncached-hs256', 'gateway-uncached-hs256', 'floor-uncached-eddsa', 'gateway-uncached-eddsa']);
    expect(ok([]).profile).toBe(false);
  });
  it('makes --quick short but keeps three rounds', () => {
    expect(ok(['--quick'])).toMatchObject({ durationSec: 1, warmupSec: 1, rounds: 3, quick: true });
  });
  it('reads every flag and always keeps direct, the baseline of every ratio', () => {
    const o = ok(['--duration=10', '--rounds', '5', '--connections', '32,1,8', '--upstreams', 'fastapi', '--targets', 'gateway', '--workers', '2', '--nice', '-10', '--no-readme', '--retry-disturbed', '0']);
    expect(o).toMatchObject({ durationSec: 10, rounds: 5, connections: [1, 8, 32], upstreams: ['fastapi'], targets: ['direct', 'gateway'], workers: 2, nice: -10, retryDisturbed: 0, updateReadme: false });
  });
  it('measures the revocations row on its own beside the plain gateway, upstream-todo only', () => {
    expect(ok(['--targets', 'gateway,gateway-revocations']).targets).toEqual(['direct', 'gateway', 'gateway-revocations']);
    expect(TODO_ONLY_TARGETS).toContain('gateway-revocations');
    expect(BENCH_USAGE).toContain('gateway-revocations');
  });
  it('profiles at 32 connections unless told otherwise, into a directory of its own choosing or --profile-dir', () => {
    expect(ok(['--profile'])).toMatchObject({ profile: true, connections: [32], profileDir: undefined });
    expect(ok(['--profile', '--profile-dir', '/tmp/p', '--connections', '8'])).toMatchObject({ profileDir: '/tmp/p', connections: [8] });
    expect(ok(['--profile']).profileTarget).toBe('gateway');
    expect(ok(['--profile', '--profile-target', 'floor']).profileTarget).toBe('floor');
  });
  it('runs the interleaved 1-connection comparison only when asked, and never together with a profile', () => {
    expect(ok([]).interleaved).toBe(false);
    expect(ok(['--interleaved', '--rounds', '5', '--duration', '10'])).toMatchObject({ interleaved: true, rounds: 5, durationSec: 10, warmupSec: 5 });
    expect(ok(['--interleaved', '--warmup', '0']).warmupSec).toBe(0);
    expect(parseBenchArgs(['--interleaved', '--profile'])).toMatchObject({ ok: false });
    for (const extra of [['--connections', '32'], ['--upstreams', 'fastapi'], ['--targets', 'direct,gateway'], ['--quick']]) {
      expect(parseBenchArgs(['--interleaved', ...extra])).toMatchObject({ ok: false, error: expect.stringContaining(extra[0]!) });
    }
  });
  it('refuses what it does not understand', () => {
    for (const argv of [['--profile-dir', '/tmp/p'], ['--profile-target', 'floor'], ['--profile', '--profile-target', 'nginx'], ['--targets', 'node-proxy'], ['--rounds', '0'], ['--connections', 'a'], ['--upstreams', 'django'], ['--targets', 'envoy'], ['--nice', '-30'], ['--fast'], ['--duration']]) {
      expect(parseBenchArgs(argv).ok, argv.join(' ')).toBe(false);
    }
  });
});

describe('pinnedCommand', () => {
  it('wraps the command in taskset and nice when asked', () => {
    expect(pinnedCommand('wrk', ['-c', '1'], [0, 1], -10)).toEqual(['taskset', ['-c', '0,1', 'nice', '-n', '-10', 'wrk', '-c', '1']]);
  });
  it('runs the command as it is without cores or priority', () => {
    expect(pinnedCommand('wrk', ['-c', '1'], undefined, undefined)).toEqual(['wrk', ['-c', '1']]);
    expect(pinnedCommand('wrk', [], [1], 0)).toEqual(['taskset', ['-c', '1', 'wrk']]);
  });
});
