// Reads the one result line our wrk script's done() prints (see wrk-script.ts).
import { WRK_RESULT_MARKER } from './wrk-script.js';

export interface LoadResult {
  readonly requests: number;
  readonly durationSec: number;
  readonly rps: number;
  /** Failed requests: connection/read/write errors, timeouts and non-2xx/3xx statuses. */
  readonly failures: number;
  readonly latencyUs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly mean: number; readonly max: number };
}

interface WrkLine {
  requests: number;
  duration_us: number;
  bytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latency_us: { p50: number; p90: number; p99: number; p999: number; mean: number; max: number };
}

export function parseWrkOutput(stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith(WRK_RESULT_MARKER));
  if (!line) throw new Error('wrk printed no result line (did the script run?)');
  const raw = JSON.parse(line.slice(WRK_RESULT_MARKER.length)) as WrkLine;
  const numbers = [raw.requests, raw.duration_us, ...Object.values(raw.errors ?? {}), ...Object.values(raw.latency_us ?? {})];
  if (numbers.length !== 13 || !numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) {
    throw new Error(`wrk result line is incomplete: ${line}`);
  }
  if (raw.duration_us <= 0) throw new Error('wrk reported a zero duration');
  const e = raw.errors;
  const durationSec = raw.duration_us / 1e6;
  return {
    requests: raw.requests,
    durationSec,
    rps: raw.requests / durationSec,
    failures: e.connect + e.read + e.write + e.status + e.timeout,
    latencyUs: { ...raw.latency_us },
  };
}
