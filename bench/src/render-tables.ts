// The markdown tables of a run: the targets (met or not, nginx and the floor beside), one table
// per upstream (medians, min–max, ratios against direct), the comparisons (gateway ÷ floor,
// gateway ÷ nginx, floor and nginx ÷ direct), and the revocation list's cost (÷ the plain gateway).
import { TARGET_LABELS, type CompareMetric, type Comparison, type RevocationCost, type SummaryRow, type TargetCheck } from './results.js';
import type { Spread } from './stats.js';

export function fmtNumber(v: number | null | undefined, digits = 0): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

export function fmtSpread(s: Spread | null, digits = 0, scale = 1): string {
  if (!s || s.n === 0 || !Number.isFinite(s.median)) return '–';
  if (s.n === 1) return fmtNumber(s.median / scale, digits);
  return `${fmtNumber(s.median / scale, digits)} (${fmtNumber(s.min / scale, digits)}–${fmtNumber(s.max / scale, digits)})`;
}

/** Three decimals: a ratio of 0.946 must not print as "0.95×" beside "missed". */
export function fmtRatio(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(3)}×`;
}

export function fmtAdded(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(0)}`;
}

function fmtCheckValue(c: TargetCheck, v: number | null): string {
  if (v === null) return '–';
  return c.unit === '×' ? fmtRatio(v) : `${v.toFixed(0)} ${c.unit}`;
}

/** The gateway's figure round by round: its median and range, and in how many rounds it met the target. */
function fmtRounds(c: TargetCheck): string {
  if (!c.rounds) return '–';
  const range = c.rounds.min === c.rounds.max ? fmtCheckValue(c, c.rounds.min) : `${fmtCheckValue(c, c.rounds.min)} – ${fmtCheckValue(c, c.rounds.max)}`;
  return `median ${fmtCheckValue(c, c.rounds.median)}; ${range}; met in ${c.rounds.met} of ${c.rounds.of}`;
}

export function renderTargets(targets: readonly TargetCheck[]): string {
  const lines = ['| target | limit | gateway | nginx | Node floor | verdict | gateway, round by round |', '| --- | ---: | ---: | ---: | ---: | --- | --- |'];
  for (const c of targets) {
    const limit = `${c.comparison === '<=' ? '≤' : '≥'} ${c.unit === '×' ? `${c.limit.toFixed(2)}×` : `${c.limit} ${c.unit}`}`;
    const verdict = c.met === null ? 'not measured' : c.met ? '**met**' : '**missed**';
    lines.push(`| ${c.description} | ${limit} | ${fmtCheckValue(c, c.measured)} | ${fmtCheckValue(c, c.nginx)} | ${fmtCheckValue(c, c.floor)} | ${verdict} | ${fmtRounds(c)} |`);
  }
  return lines.join('\n');
}

const TARGET_ORDER = Object.keys(TARGET_LABELS);

export function renderUpstreamTable(rows: readonly SummaryRow[]): string {
  const lines = [
    '| conns | path | req/s | p50 µs | p99 µs | req/s ÷ direct | p50 ÷ direct | p50 added µs | proxy CPU µs/req | proxy RSS MB | failed | verdict |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const sorted = [...rows].sort((a, b) => a.connections - b.connections || TARGET_ORDER.indexOf(a.target) - TARGET_ORDER.indexOf(b.target));
  for (const r of sorted) {
    lines.push(
      `| ${r.connections} | ${TARGET_LABELS[r.target]} | ${fmtSpread(r.rps)} | ${fmtSpread(r.p50Us)} | ${fmtSpread(r.p99Us)} | ${fmtRatio(r.vsDirect?.rps)} | ${fmtRatio(r.vsDirect?.p50)} | ${fmtAdded(r.vsDirect?.addedP50Us)} | ${fmtSpread(r.proxyCpuUsPerReq, 1)} | ${fmtSpread(r.proxyRssKb, 0, 1024)} | ${r.failures} | ${r.verdict} |`,
    );
  }
  return lines.join('\n');
}

export const METRIC_LABELS: Readonly<Record<CompareMetric, string>> = {
  cpuUsPerReq: 'proxy CPU µs/req',
  addedP50Us: 'p50 added µs',
  p50Us: 'p50 µs',
  p99Us: 'p99 µs',
  rps: 'req/s',
  rssMb: 'proxy RSS MB (peak under load)',
};

function fmtMetric(metric: CompareMetric, v: number | null): string {
  if (metric === 'addedP50Us') return fmtAdded(v);
  return fmtNumber(v, metric === 'cpuUsPerReq' ? 1 : 0);
}

/** One row per connection count × figure: the four paths, then the ratios. */
export function renderComparisonTable(comparisons: readonly Comparison[]): string {
  const lines = [
    '| conns | figure | direct | nginx | Node floor | gateway | gateway ÷ floor | gateway ÷ nginx | floor ÷ direct | nginx ÷ direct |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const c of [...comparisons].sort((a, b) => a.connections - b.connections)) {
    for (const m of c.metrics) {
      const f = (v: number | null) => fmtMetric(m.metric, v);
      lines.push(`| ${c.connections} | ${METRIC_LABELS[m.metric]} | ${f(m.direct)} | ${f(m.nginx)} | ${f(m.floor)} | ${f(m.gateway)} | ${fmtRatio(m.gatewayVsFloor)} | ${fmtRatio(m.gatewayVsNginx)} | ${fmtRatio(m.floorVsDirect)} | ${fmtRatio(m.nginxVsDirect)} |`);
    }
  }
  return lines.join('\n');
}

/** One row per connection count × figure: the plain gateway, the one with the list, the ratio, and whether the difference is above the noise. */
export function renderRevocationCostTable(costs: readonly RevocationCost[]): string {
  const entries = costs[0]?.entries ?? 0;
  const lines = [
    `| conns | figure | gateway | gateway, ${entries.toLocaleString('en-US')} revocations | with ÷ without | measurable (median above the plain gateway's max) |`,
    '| ---: | --- | ---: | ---: | ---: | --- |',
  ];
  for (const c of [...costs].sort((a, b) => a.connections - b.connections)) {
    for (const f of c.figures) {
      const digits = f.metric === 'cpuUsPerReq' ? 1 : 0;
      const measurable = f.measurable === null ? '–' : f.measurable ? '**yes**' : 'no';
      lines.push(`| ${c.connections} | ${METRIC_LABELS[f.metric]} | ${fmtSpread(f.plain, digits)} | ${fmtSpread(f.revoked, digits)} | ${fmtRatio(f.ratio)} | ${measurable} |`);
    }
  }
  return lines.join('\n');
}
