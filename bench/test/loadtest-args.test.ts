import { describe, expect, it } from 'vitest';
import { parseDurationSec, parseLatencyUs, parseLoadtestArgs, subjectOf } from '../src/loadtest-args.js';
import { EXIT_FAILED, EXIT_OK, evaluateThresholds, exitCodeFor } from '../src/thresholds.js';
import type { LoadResult } from '../src/wrk-output.js';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const TOKEN = `${b64({ alg: 'HS256' })}.${b64({ sub: 'user-42' })}.c2ln`;

function ok(argv: string[], env: Record<string, string> = {}) {
  const r = parseLoadtestArgs(argv, env);
  if (!r.ok) throw new Error(r.error);
  return r.options;
}
function err(argv: string[], env: Record<string, string> = {}): string {
  const r = parseLoadtestArgs(argv, env);
  if (r.ok) throw new Error('expected a usage error');
  return r.error;
}

describe('parseLoadtestArgs', () => {
  it('has defaults for everything but --url and --token', () => {
    const o = ok(['--url', 'http://localhost:8080/', '--token', TOKEN]);
    expect(o).toMatchObject({ url: 'http://localhost:8080', token: TOKEN, user: undefined, durationSec: 10, connections: 10, seedTasks: 5, cleanup: true, thresholds: {} });
  });
  it('reads every option, in both --flag value and --flag=value forms', () => {
    const o = ok(['--url=https://api.example.com', '--token', `Bearer ${TOKEN}`, '--user', 'u1', '--duration', '1m', '--connections=32',
      '--max-p50', '2ms', '--max-p99=500us', '--min-rps', '1500', '--json', 'out.json', '--no-cleanup', '--seed-tasks', '3']);
    expect(o).toMatchObject({ url: 'https://api.example.com', token: TOKEN, user: 'u1', durationSec: 60, connections: 32, seedTasks: 3, json: 'out.json', cleanup: false });
    expect(o.thresholds).toEqual({ maxP50Us: 2000, maxP99Us: 500, minRps: 1500 });
  });
  it('takes the token from LOADTEST_TOKEN when --token is absent', () => {
    expect(ok(['--url', 'http://x'], { LOADTEST_TOKEN: TOKEN }).token).toBe(TOKEN);
  });
  it('names the problem for missing or bad arguments', () => {
    expect(err(['--token', TOKEN])).toMatch(/--url is required/);
    expect(err(['--url', 'http://x'])).toMatch(/--token/);
    expect(err(['--url', 'ftp://x', '--token', TOKEN])).toMatch(/http/);
    expect(err(['--url', 'http://x', '--token', 'not-a-jwt'])).toMatch(/JWT/);
    expect(err(['--url', 'http://x', '--token', TOKEN, '--connections', '0'])).toMatch(/--connections/);
    expect(err(['--url', 'http://x', '--token', TOKEN, '--duration', 'soon'])).toMatch(/--duration/);
    expect(err(['--url', 'http://x', '--token', TOKEN, '--max-p50', 'fast'])).toMatch(/--max-p50/);
    expect(err(['--url', 'http://x', '--token', TOKEN, '--user', 'a/b'])).toMatch(/--user/);
    expect(err(['--url', 'http://x', '--token', TOKEN, '--bogus'])).toMatch(/unknown argument/);
    expect(err(['--url', 'http://x', '--token'])).toMatch(/needs a value/);
  });
  it('never puts the token into an error message', () => {
    expect(err(['--url', 'ftp://x', '--token', TOKEN])).not.toContain(TOKEN);
  });
  it('answers --help without requiring anything else', () => {
    expect(ok(['--help']).help).toBe(true);
  });
});

describe('unit parsing', () => {
  it('reads durations in s, ms, m and bare seconds', () => {
    expect([parseDurationSec('10s'), parseDurationSec('1500ms'), parseDurationSec('2m'), parseDurationSec('3')]).toEqual([10, 1.5, 120, 3]);
    expect(parseDurationSec('0')).toBeUndefined();
  });
  it('reads latencies in µs, us, ms, s and bare milliseconds', () => {
    expect([parseLatencyUs('500us'), parseLatencyUs('500µs'), parseLatencyUs('2ms'), parseLatencyUs('0.8'), parseLatencyUs('1s')]).toEqual([500, 500, 2000, 800, 1e6]);
    expect(parseLatencyUs('-1')).toBeUndefined();
  });
  it('reads the subject from a token without verifying it', () => {
    expect(subjectOf(TOKEN)).toBe('user-42');
    expect(subjectOf('a.b.c')).toBeUndefined();
  });
});

describe('thresholds and exit codes', () => {
  const result: LoadResult = { requests: 1000, durationSec: 1, rps: 1000, failures: 0, latencyUs: { p50: 800, p90: 1500, p99: 3000, p999: 5000, mean: 900, max: 9000 } };

  it('passes with no failures and every threshold met (limits are inclusive)', () => {
    const checks = evaluateThresholds(result, { maxP50Us: 800, maxP99Us: 3000, minRps: 1000 });
    expect(checks.every((c) => c.met)).toBe(true);
    expect(exitCodeFor(checks)).toBe(EXIT_OK);
  });
  it('fails on any single failed request, even without thresholds', () => {
    const checks = evaluateThresholds({ ...result, failures: 1 }, {});
    expect(checks.find((c) => c.name === 'failed requests')!.met).toBe(false);
    expect(exitCodeFor(checks)).toBe(EXIT_FAILED);
  });
  it('fails on each missed threshold', () => {
    expect(exitCodeFor(evaluateThresholds(result, { maxP50Us: 799 }))).toBe(EXIT_FAILED);
    expect(exitCodeFor(evaluateThresholds(result, { maxP99Us: 2999 }))).toBe(EXIT_FAILED);
    expect(exitCodeFor(evaluateThresholds(result, { minRps: 1001 }))).toBe(EXIT_FAILED);
  });
  it('fails a run that sent nothing', () => {
    expect(exitCodeFor(evaluateThresholds({ ...result, requests: 0, rps: 0 }, {}))).toBe(EXIT_FAILED);
  });
});
