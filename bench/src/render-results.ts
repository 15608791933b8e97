// Results as markdown: the issue's targets first (met or not, with nginx beside), then one
// table per upstream with medians, min–max, ratios against direct and the budget verdict.
import { BUDGET } from './budget.js';
import { TARGET_LABELS, type BenchResults, type SummaryRow, type TargetCheck, type UpstreamId } from './results.js';
import type { Spread } from './stats.js';

const UPSTREAM_TITLES: Readonly<Record<UpstreamId, string>> = {
  'upstream-todo': 'upstream-todo (Node, fastify + better-sqlite3, file database)',
  fastapi: 'FastAPI + SQLModel/SQLite (uvicorn, one worker): the stand-in for your service',
};

export function fmtNumber(v: number | null | undefined, digits = 0): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

export function fmtSpread(s: Spread | null, digits = 0): string {
  if (!s || s.n === 0 || !Number.isFinite(s.median)) return '–';
  if (s.n === 1) return fmtNumber(s.median, digits);
  return `${fmtNumber(s.median, digits)} (${fmtNumber(s.min, digits)}–${fmtNumber(s.max, digits)})`;
}

/** Three decimals: a ratio of 0.946 must not print as "0.95×" beside "over budget". */
export function fmtRatio(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(3)}×`;
}

function fmtAdded(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(0)}`;
}

function fmtCheckValue(c: TargetCheck, v: number | null): string {
  if (v === null) return '–';
  return c.unit === '×' ? fmtRatio(v) : `${v.toFixed(0)} ${c.unit}`;
}

export function renderTargets(targets: readonly TargetCheck[]): string {
  const lines = ['| target | limit | gateway | nginx | bare fastify+undici | verdict |', '| --- | ---: | ---: | ---: | ---: | --- |'];
  for (const c of targets) {
    const limit = `${c.comparison === '<=' ? '≤' : '≥'} ${c.unit === '×' ? `${c.limit.toFixed(2)}×` : `${c.limit} ${c.unit}`}`;
    const verdict = c.met === null ? 'not measured' : c.met ? '**met**' : '**missed**';
    lines.push(`| ${c.description} | ${limit} | ${fmtCheckValue(c, c.measured)} | ${fmtCheckValue(c, c.nginx)} | ${fmtCheckValue(c, c.nodeProxy)} | ${verdict} |`);
  }
  return lines.join('\n');
}

export function renderUpstreamTable(rows: readonly SummaryRow[]): string {
  const lines = [
    '| conns | path | req/s | p50 µs | p99 µs | req/s ÷ direct | p50 ÷ direct | p50 added µs | proxy CPU µs/req | failed | verdict |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const sorted = [...rows].sort((a, b) => a.connections - b.connections || order(a) - order(b));
  for (const r of sorted) {
    lines.push(
      `| ${r.connections} | ${TARGET_LABELS[r.target]} | ${fmtSpread(r.rps)} | ${fmtSpread(r.p50Us)} | ${fmtSpread(r.p99Us)} | ${fmtRatio(r.vsDirect?.rps)} | ${fmtRatio(r.vsDirect?.p50)} | ${fmtAdded(r.vsDirect?.addedP50Us)} | ${fmtSpread(r.proxyCpuUsPerReq, 1)} | ${r.failures} | ${r.verdict} |`,
    );
  }
  return lines.join('\n');
}

const TARGET_ORDER = Object.keys(TARGET_LABELS);
function order(r: SummaryRow): number {
  return TARGET_ORDER.indexOf(r.target);
}

export function renderResultsMarkdown(results: BenchResults): string {
  const m = results.meta;
  const out: string[] = [];
  out.push(`### Benchmark results — ${m.finishedAt.slice(0, 16).replace('T', ' ')} UTC${m.quick ? ' (quick run)' : ''}`, '');
  out.push(`- Machine: ${m.host.cpus} vCPU ${m.host.model}, ${m.host.kernel}; ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out.push(`- Placement: ${m.placement}`);
  out.push(`- Method: ${m.rounds} alternating rounds of ${m.durationSec} s per path and connection count (after ${m.warmupSec} s warm-up each); medians with (min–max); mix ${m.mix}; tokens: half HS256, half EdDSA (JWKS), each user its own token`);
  out.push(`- Latency and throughput: ${m.latencySource}`);
  out.push(`- Budget per row: p50 ≤ ${BUDGET.maxP50Ratio.toFixed(2)}× direct and req/s ≥ ${BUDGET.minRpsRatio.toFixed(2)}× direct; CPU is the proxy's user+system time (/proc) ÷ requests`);
  for (const note of m.notes) out.push(`- Note: ${note}`);
  out.push('', '#### Targets', '', renderTargets(results.targets));
  const upstreams = [...new Set(results.summary.map((r) => r.upstream))];
  for (const u of upstreams) {
    out.push('', `#### ${UPSTREAM_TITLES[u]}`, '', renderUpstreamTable(results.summary.filter((r) => r.upstream === u)));
  }
  return `${out.join('\n')}\n`;
}

export const README_START = '<!-- bench:latest:start -->';
export const README_END = '<!-- bench:latest:end -->';

/** Replaces the marked section of a README with the new table (appends the section if missing). */
export function spliceReadme(readme: string, table: string): string {
  const block = `${README_START}\n${table.trimEnd()}\n${README_END}`;
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start >= 0 && end > start) return `${readme.slice(0, start)}${block}${readme.slice(end + README_END.length)}`;
  return `${readme.trimEnd()}\n\n${block}\n`;
}
