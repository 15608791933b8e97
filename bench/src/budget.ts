// From rounds to verdicts: medians per target, ratios against direct, the 10% budget per row,
// and the explicit targets.
import type { Measurement, SummaryRow, TargetCheck, TargetId, UpstreamId, Verdict } from './results.js';
import { ratio, spread } from './stats.js';

/** The 10% latency budget: p50 at most 1.10× direct, throughput at least 0.95× direct. */
export const BUDGET = { maxP50Ratio: 1.1, minRpsRatio: 0.95 } as const;

/** Issue targets against upstream-todo, absolute. */
export const TODO_TARGETS = { maxAddedP50Us: 100, maxCpuUsPerReq: 50 } as const;

export function rowVerdict(rpsRatio: number, p50Ratio: number): Verdict {
  if (!Number.isFinite(rpsRatio) || !Number.isFinite(p50Ratio)) return 'unknown';
  return rpsRatio >= BUDGET.minRpsRatio && p50Ratio <= BUDGET.maxP50Ratio ? 'within budget' : 'over budget';
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
    const cpu = (pick: (m: Measurement) => number | null) => {
      const values = ms.map(pick).filter((v): v is number => v !== null && Number.isFinite(v));
      return values.length ? spread(values) : null;
    };
    return {
      upstream: first.upstream,
      target: first.target,
      connections: first.connections,
      rps: spread(ms.map((m) => m.rps)),
      p50Us: spread(ms.map((m) => m.latencyUs.p50)),
      p99Us: spread(ms.map((m) => m.latencyUs.p99)),
      proxyCpuUsPerReq: cpu((m) => m.proxyCpuUsPerReq),
      upstreamCpuUsPerReq: cpu((m) => m.upstreamCpuUsPerReq),
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

function find(summary: readonly SummaryRow[], upstream: UpstreamId, target: TargetId, connections: number): SummaryRow | undefined {
  return summary.find((r) => r.upstream === upstream && r.target === target && r.connections === connections);
}

function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

function check(
  id: string, description: string, unit: string, comparison: '<=' | '>=', limit: number,
  measured: number | undefined, nginx: number | undefined, nodeProxy?: number | undefined,
): TargetCheck {
  const value = finiteOrNull(measured);
  const met = value === null ? null : comparison === '<=' ? value <= limit : value >= limit;
  return { id, description, unit, comparison, limit, measured: value, met, nginx: finiteOrNull(nginx), nodeProxy: finiteOrNull(nodeProxy) };
}

/** The targets. `cpuConnections`: the connection count whose CPU figure is judged. */
export function evaluateTargets(summary: readonly SummaryRow[], cpuConnections = 32): TargetCheck[] {
  const fa = find(summary, 'fastapi', 'gateway', 32);
  const faNginx = find(summary, 'fastapi', 'nginx', 32);
  const todo1 = find(summary, 'upstream-todo', 'gateway', 1);
  const todo1Nginx = find(summary, 'upstream-todo', 'nginx', 1);
  const todoCpu = find(summary, 'upstream-todo', 'gateway', cpuConnections);
  const todoCpuNginx = find(summary, 'upstream-todo', 'nginx', cpuConnections);
  const todo1Bare = find(summary, 'upstream-todo', 'node-proxy', 1);
  const todoCpuBare = find(summary, 'upstream-todo', 'node-proxy', cpuConnections);
  return [
    check('fastapi-32-rps', 'FastAPI, 32 connections: throughput through the gateway ÷ direct', '×', '>=', BUDGET.minRpsRatio, fa?.vsDirect?.rps, faNginx?.vsDirect?.rps),
    check('fastapi-32-p50', 'FastAPI, 32 connections: p50 through the gateway ÷ direct', '×', '<=', BUDGET.maxP50Ratio, fa?.vsDirect?.p50, faNginx?.vsDirect?.p50),
    check('todo-1-added-p50', 'upstream-todo, 1 connection: p50 the gateway adds', 'µs', '<=', TODO_TARGETS.maxAddedP50Us, todo1?.vsDirect?.addedP50Us, todo1Nginx?.vsDirect?.addedP50Us, todo1Bare?.vsDirect?.addedP50Us),
    check('todo-cpu-per-request', `upstream-todo, ${cpuConnections} connections: gateway CPU per proxied request (cached token)`, 'µs', '<=', TODO_TARGETS.maxCpuUsPerReq, todoCpu?.proxyCpuUsPerReq?.median, todoCpuNginx?.proxyCpuUsPerReq?.median, todoCpuBare?.proxyCpuUsPerReq?.median),
  ];
}
