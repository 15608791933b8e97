// From rounds to rows: medians with min–max per upstream × connections × path, the ratios of
// each path against direct, and the row's verdict under the per-row budget (budget.ts).
import { rowVerdict } from './budget.js';
import type { Measurement, SummaryRow } from './results.js';
import { ratio, spread, type Spread } from './stats.js';

function optionalSpread(ms: readonly Measurement[], pick: (m: Measurement) => number | null | undefined): Spread | null {
  const values = ms.map(pick).filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
  return values.length ? spread(values) : null;
}

export function summarise(measurements: readonly Measurement[]): SummaryRow[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.upstream}\u0000${m.connections}\u0000${m.target}`;
    const list = groups.get(key) ?? [];
    list.push(m);
    groups.set(key, list);
  }
  const base = [...groups.values()].map((ms) => {
    const first = ms[0]!;
    return {
      upstream: first.upstream,
      target: first.target,
      connections: first.connections,
      rps: spread(ms.map((m) => m.rps)),
      p50Us: spread(ms.map((m) => m.latencyUs.p50)),
      p99Us: spread(ms.map((m) => m.latencyUs.p99)),
      proxyCpuUsPerReq: optionalSpread(ms, (m) => m.proxyCpuUsPerReq),
      upstreamCpuUsPerReq: optionalSpread(ms, (m) => m.upstreamCpuUsPerReq),
      proxyRssKb: optionalSpread(ms, (m) => m.proxyRssKb),
      proxyLogLinesPerReq: optionalSpread(ms, (m) => m.proxyLogLinesPerReq),
      failures: ms.reduce((sum, m) => sum + m.failures, 0),
    };
  });
  return base.map((row) => {
    if (row.target === 'direct') return { ...row, vsDirect: null, verdict: 'baseline' as const };
    const direct = base.find((d) => d.target === 'direct' && d.upstream === row.upstream && d.connections === row.connections);
    if (!direct) return { ...row, vsDirect: null, verdict: 'unknown' as const };
    const vsDirect = {
      rps: ratio(row.rps.median, direct.rps.median),
      p50: ratio(row.p50Us.median, direct.p50Us.median),
      p99: ratio(row.p99Us.median, direct.p99Us.median),
      addedP50Us: row.p50Us.median - direct.p50Us.median,
    };
    return { ...row, vsDirect, verdict: rowVerdict(vsDirect.rps, vsDirect.p50) };
  });
}
