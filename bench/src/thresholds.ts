// Turns a load-test result into pass/fail lines and an exit code. Any failed request fails
// the run, whatever the thresholds: a load test that "passes" with 401s has measured nothing.
import type { Thresholds } from './loadtest-args.js';
import type { LoadResult } from './wrk-output.js';

export interface Check {
  readonly name: string;
  readonly limit: string;
  readonly measured: string;
  readonly met: boolean;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

function us(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${Math.round(v)} µs`;
}

export function evaluateThresholds(result: LoadResult, t: Thresholds): Check[] {
  const checks: Check[] = [
    { name: 'failed requests', limit: '0', measured: String(result.failures), met: result.failures === 0 },
    { name: 'requests sent', limit: '> 0', measured: String(result.requests), met: result.requests > 0 },
  ];
  if (t.maxP50Us !== undefined) checks.push({ name: 'p50 latency', limit: `≤ ${us(t.maxP50Us)}`, measured: us(result.latencyUs.p50), met: result.latencyUs.p50 <= t.maxP50Us });
  if (t.maxP99Us !== undefined) checks.push({ name: 'p99 latency', limit: `≤ ${us(t.maxP99Us)}`, measured: us(result.latencyUs.p99), met: result.latencyUs.p99 <= t.maxP99Us });
  if (t.minRps !== undefined) checks.push({ name: 'throughput', limit: `≥ ${t.minRps} req/s`, measured: `${result.rps.toFixed(0)} req/s`, met: result.rps >= t.minRps });
  return checks;
}

export function exitCodeFor(checks: readonly Check[]): number {
  return checks.every((c) => c.met) ? EXIT_OK : EXIT_FAILED;
}

export { us as formatMicros };
