// The numbers the bench judges against, in one place: the per-row budget against direct, and
// the targets for the gateway (absolute, and relative to the Node floor).
import { compareOne, metricIn } from './ratios.js';
import type { CompareMetric, MetricComparison, SummaryRow, TargetCheck, Verdict } from './results.js';

/** The 10% budget per row: p50 at most 1.10× direct, throughput at least 0.95× direct. */
export const BUDGET = { maxP50Ratio: 1.1, minRpsRatio: 0.95 } as const;

/** The targets for the gateway (cached tokens, default config). */
export const TARGETS = {
  /** upstream-todo, 32 connections: the gateway's CPU per proxied request. */
  todoCpuMaxUs: 45,
  /** …and at most this multiple of the Node floor's. */
  todoCpuMaxVsFloor: 1.3,
  /** upstream-todo, 1 connection: p50 the gateway adds over direct. */
  todoAddedP50MaxUs: 100,
  /** …and at most this multiple of what the Node floor adds. */
  todoAddedP50MaxVsFloor: 1.3,
  /** FastAPI, 32 connections: throughput ÷ direct. */
  fastapi32MinRps: 0.97,
  /** FastAPI, 32 connections: p50 ÷ direct. */
  fastapi32MaxP50: 1.05,
  /** FastAPI, 1 connection: p50 ÷ direct. */
  fastapi1MaxP50: 1.1,
} as const;

export function rowVerdict(rpsRatio: number, p50Ratio: number): Verdict {
  if (!Number.isFinite(rpsRatio) || !Number.isFinite(p50Ratio)) return 'unknown';
  return rpsRatio >= BUDGET.minRpsRatio && p50Ratio <= BUDGET.maxP50Ratio ? 'within budget' : 'over budget';
}

type Figure = (m: MetricComparison) => { gateway: number | null; nginx: number | null; floor: number | null };

/** The figure itself, for gateway, nginx and floor. */
const absolute: Figure = (m) => ({ gateway: m.gateway, nginx: m.nginx, floor: m.floor });
/** Each path ÷ the floor (the floor's own column stays empty: it would always read 1×). */
const overFloor: Figure = (m) => ({ gateway: m.gatewayVsFloor, nginx: m.nginx !== null && m.floor !== null && m.floor > 0 ? m.nginx / m.floor : null, floor: null });
/** Each path ÷ direct. */
const overDirect: Figure = (m) => ({ gateway: m.gatewayVsDirect, nginx: m.nginxVsDirect, floor: m.floorVsDirect });

interface TargetSpec {
  readonly id: string;
  readonly description: string;
  readonly upstream: 'upstream-todo' | 'fastapi';
  readonly connections: number;
  readonly metric: CompareMetric;
  readonly figure: Figure;
  readonly unit: '×' | 'µs';
  readonly comparison: '<=' | '>=';
  readonly limit: number;
}

export const TARGET_SPECS: readonly TargetSpec[] = [
  { id: 'todo-32-cpu', description: 'upstream-todo, 32 connections: gateway CPU per request (cached token)', upstream: 'upstream-todo', connections: 32, metric: 'cpuUsPerReq', figure: absolute, unit: 'µs', comparison: '<=', limit: TARGETS.todoCpuMaxUs },
  { id: 'todo-32-cpu-vs-floor', description: 'upstream-todo, 32 connections: gateway CPU per request ÷ Node floor\'s', upstream: 'upstream-todo', connections: 32, metric: 'cpuUsPerReq', figure: overFloor, unit: '×', comparison: '<=', limit: TARGETS.todoCpuMaxVsFloor },
  { id: 'todo-1-added-p50', description: 'upstream-todo, 1 connection: p50 the gateway adds over direct', upstream: 'upstream-todo', connections: 1, metric: 'addedP50Us', figure: absolute, unit: 'µs', comparison: '<=', limit: TARGETS.todoAddedP50MaxUs },
  { id: 'todo-1-added-p50-vs-floor', description: 'upstream-todo, 1 connection: p50 added ÷ what the Node floor adds', upstream: 'upstream-todo', connections: 1, metric: 'addedP50Us', figure: overFloor, unit: '×', comparison: '<=', limit: TARGETS.todoAddedP50MaxVsFloor },
  { id: 'fastapi-32-rps', description: 'FastAPI, 32 connections: throughput ÷ direct', upstream: 'fastapi', connections: 32, metric: 'rps', figure: overDirect, unit: '×', comparison: '>=', limit: TARGETS.fastapi32MinRps },
  { id: 'fastapi-32-p50', description: 'FastAPI, 32 connections: p50 ÷ direct', upstream: 'fastapi', connections: 32, metric: 'p50Us', figure: overDirect, unit: '×', comparison: '<=', limit: TARGETS.fastapi32MaxP50 },
  { id: 'fastapi-1-p50', description: 'FastAPI, 1 connection: p50 ÷ direct', upstream: 'fastapi', connections: 1, metric: 'p50Us', figure: overDirect, unit: '×', comparison: '<=', limit: TARGETS.fastapi1MaxP50 },
];

/** Every target, met / missed / not measured (null), with nginx's and the floor's figures beside. */
export function evaluateTargets(summary: readonly SummaryRow[]): TargetCheck[] {
  return TARGET_SPECS.map((t) => {
    const m = metricIn(compareOne(summary, t.upstream, t.connections, 'cached'), t.metric);
    const f = m ? t.figure(m) : { gateway: null, nginx: null, floor: null };
    const met = f.gateway === null ? null : t.comparison === '<=' ? f.gateway <= t.limit : f.gateway >= t.limit;
    return { id: t.id, description: t.description, unit: t.unit, comparison: t.comparison, limit: t.limit, measured: f.gateway, met, nginx: f.nginx, floor: f.floor };
  });
}
