// Synthetic rounds for the pure parts (summary, ratios, targets, tables, chart): one line per
// measurement instead of a dozen fields.
import type { Measurement, TargetId, UpstreamId } from '../../src/results.js';

export interface RoundFigures {
  readonly rps: number;
  readonly p50: number;
  /** Proxy CPU µs per request; null for direct. */
  readonly cpu?: number | null;
  readonly p99?: number;
  readonly rssKb?: number | null;
  readonly round?: number;
}

export function measurement(upstream: UpstreamId, target: TargetId, connections: number, f: RoundFigures): Measurement {
  return {
    upstream, target, connections, round: f.round ?? 1, requests: Math.round(f.rps * 5), rps: f.rps, failures: 0,
    latencyUs: { p50: f.p50, p90: f.p50 * 2, p99: f.p99 ?? f.p50 * 4, p999: f.p50 * 8, mean: f.p50, max: f.p50 * 10 },
    proxyCpuUsPerReq: f.cpu ?? null, upstreamCpuUsPerReq: 100, proxyRssKb: f.rssKb ?? null,
  };
}

/** A run over both upstreams and both connection counts, with every path of the chart. */
export function fullRun(): Measurement[] {
  const out: Measurement[] = [];
  for (const [upstream, scale] of [['upstream-todo', 1], ['fastapi', 20]] as const) {
    for (const c of [1, 32]) {
      const base = c === 1 ? 100 * scale : 3000 * scale;
      out.push(
        measurement(upstream, 'direct', c, { rps: 9000 / scale, p50: base }),
        measurement(upstream, 'nginx', c, { rps: 6000 / scale, p50: base + 150, cpu: 60, rssKb: 8 * 1024 }),
        measurement(upstream, 'floor', c, { rps: 6500 / scale, p50: base + 100, cpu: 40, rssKb: 60 * 1024 }),
        measurement(upstream, 'gateway', c, { rps: 6000 / scale, p50: base + 120, cpu: 50, rssKb: 90 * 1024 }),
      );
    }
  }
  return out;
}
