// Runs the request mix with autocannon. autocannon's own latency histogram keeps whole
// milliseconds — too coarse for a sub-millisecond budget — so every response's time
// (autocannon measures it with process.hrtime, as a fractional ms) is recorded here in
// microseconds into an HDR histogram (hdr-histogram-js, 3 significant digits).
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import type { PlannedRequest } from './mix.js';
import type { LoadResult } from './wrk-output.js';

export const AUTOCANNON_LATENCY_SOURCE = 'autocannon, each response timed by process.hrtime and recorded in µs in an HDR histogram (3 significant digits)';

export interface Progress {
  readonly elapsedSec: number;
  readonly requests: number;
  readonly failures: number;
  /** Requests completed in the last tick, per second. */
  readonly currentRps: number;
  /** p50 and p99 so far, µs. */
  readonly p50Us: number;
  readonly p99Us: number;
}

export interface MixRunOptions {
  readonly url: string;
  readonly plan: readonly PlannedRequest[];
  readonly connections: number;
  readonly durationSec: number;
  readonly timeoutSec?: number;
  /** Called about once a second while the run lasts. */
  readonly onProgress?: (p: Progress) => void;
  /** Collect the ids of tasks the mix created (for cleaning up afterwards). */
  readonly collectCreated?: boolean;
}

export interface MixRunResult extends LoadResult {
  /** Responses by status code; "error" for requests that got no response (refused, reset, timed out). */
  readonly statuses: Readonly<Record<string, number>>;
  readonly createdIds: readonly number[];
}

export async function runAutocannonMix(o: MixRunOptions): Promise<MixRunResult> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  const statuses: Record<string, number> = {};
  const createdIds: number[] = [];
  let requests = 0;
  let failures = 0;
  const requestsOpt = o.plan.map((r) => ({
    method: r.method,
    path: r.path,
    headers: { ...r.headers },
    ...(r.body !== undefined ? { body: r.body } : {}),
    ...(o.collectCreated && r.op === 'create'
      ? {
          onResponse: (status: number, body: string) => {
            if (status !== 201) return;
            try {
              const id = (JSON.parse(body) as { id?: unknown }).id;
              if (typeof id === 'number') createdIds.push(id);
            } catch {
              // not our API's answer: nothing to clean up
            }
          },
        }
      : {}),
  }));
  const started = process.hrtime.bigint();
  let finish!: (r: autocannon.Result) => void;
  let fail!: (e: unknown) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => { finish = resolve; fail = reject; });
  // The callback form returns the Instance, whose events carry each response's time.
  const instance = autocannon(
    { url: o.url, connections: o.connections, duration: o.durationSec, timeout: o.timeoutSec ?? 10, requests: requestsOpt } as autocannon.Options,
    (err: unknown, res: autocannon.Result) => (err ? fail(err) : finish(res)),
  );
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
    requests++;
    histogram.recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode < 200 || statusCode > 299) failures++;
  });
  instance.on('reqError', () => {
    failures++;
    statuses.error = (statuses.error ?? 0) + 1;
  });
  let lastRequests = 0;
  let lastAt = Date.now();
  const ticker = o.onProgress
    ? setInterval(() => {
        const now = Date.now();
        const done = requests;
        o.onProgress!({
          elapsedSec: Number(process.hrtime.bigint() - started) / 1e9,
          requests: done,
          failures,
          currentRps: ((done - lastRequests) * 1000) / Math.max(1, now - lastAt),
          p50Us: histogram.getValueAtPercentile(50),
          p99Us: histogram.getValueAtPercentile(99),
        });
        lastRequests = done;
        lastAt = now;
      }, 1000)
    : undefined;
  let result: autocannon.Result;
  try {
    result = await finished;
  } finally {
    if (ticker) clearInterval(ticker);
  }
  // Timeouts surface as result.timeouts (they are not 'reqError' events in every version).
  const unanswered = Math.max(0, result.errors - (statuses.error ?? 0));
  if (unanswered > 0) {
    failures += unanswered;
    statuses.error = (statuses.error ?? 0) + unanswered;
  }
  const durationSec = Number(process.hrtime.bigint() - started) / 1e9;
  const latencyUs = {
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    mean: histogram.mean,
    max: histogram.maxValue,
  };
  histogram.destroy();
  return { requests, durationSec, rps: requests / durationSec, failures, latencyUs, statuses, createdIds };
}
