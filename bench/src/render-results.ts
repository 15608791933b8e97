// Results as markdown: the issue's targets first (met or missed, nginx and the Node floor
// beside), the comparisons with the floor and nginx, the uncached worst case, what a full
// revocation list costs, then one table per upstream with medians, min–max, ratios against
// direct and the per-row budget verdict.
import { BUDGET } from './budget.js';
import { median } from './stats.js';
import type { BenchResults, Comparison, RevocationCost, UpstreamId, Variant } from './results.js';
import { renderComparisonTable, renderRevocationCostTable, renderTargets, renderUpstreamTable } from './render-tables.js';

export { fmtNumber, fmtRatio, fmtSpread, renderTargets, renderUpstreamTable } from './render-tables.js';

export const UPSTREAM_TITLES: Readonly<Record<UpstreamId, string>> = {
  'upstream-todo': 'upstream-todo (Node, fastify + better-sqlite3, file database)',
  fastapi: 'FastAPI + SQLModel/SQLite (uvicorn, one worker): the stand-in for your service',
};

const VARIANT_TITLES: Readonly<Record<Variant, string>> = {
  cached: 'gateway vs Node floor vs nginx (cached tokens)',
  'uncached-hs256': 'uncached worst case, HS256: every request verified from scratch (token_cache 0)',
  'uncached-eddsa': 'uncached worst case, EdDSA: every request verified from scratch (token_cache 0)',
};

function accessLogLine(results: BenchResults): string | undefined {
  const perReq = results.summary.filter((r) => r.target === 'gateway' && r.proxyLogLinesPerReq).map((r) => r.proxyLogLinesPerReq!.median);
  if (perReq.length === 0) return undefined;
  return `- Gateway at its default config (log_level info, metrics on): it wrote ${median(perReq).toFixed(2)} access-log lines per request to stdout, a pipe the bench drains`;
}

function comparisonSections(comparisons: readonly Comparison[]): string[] {
  const out: string[] = [];
  for (const variant of ['cached', 'uncached-hs256', 'uncached-eddsa'] as const) {
    for (const u of [...new Set(comparisons.map((c) => c.upstream))]) {
      const cs = comparisons.filter((c) => c.variant === variant && c.upstream === u);
      if (cs.length) out.push('', `#### ${u}: ${VARIANT_TITLES[variant]}`, '', renderComparisonTable(cs));
    }
  }
  return out;
}

function revocationSections(costs: readonly RevocationCost[]): string[] {
  const out: string[] = [];
  for (const u of [...new Set(costs.map((c) => c.upstream))]) {
    const cs = costs.filter((c) => c.upstream === u);
    out.push(
      '', `#### ${u}: revocation lookups — the gateway with ${cs[0]!.entries.toLocaleString('en-US')} live revocations vs without`, '',
      'The same config and tokens in the same alternating rounds; no bench token matches an entry, so every request is checked against the whole list and none is refused.',
      '', renderRevocationCostTable(cs),
    );
  }
  return out;
}

export function renderResultsMarkdown(results: BenchResults, chartFile?: string): string {
  const m = results.meta;
  const out: string[] = [];
  out.push(`### Benchmark results — ${m.finishedAt.slice(0, 16).replace('T', ' ')} UTC${m.quick ? ' (quick run)' : ''}`, '');
  out.push(`- Machine: ${m.host.cpus} vCPU ${m.host.model}, ${m.host.kernel}; ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out.push(`- Placement: ${m.placement}`);
  out.push(`- Method: ${m.rounds} alternating rounds of ${m.durationSec} s per path and connection count (after ${m.warmupSec} s warm-up each); medians with (min–max); ratios are of the medians; mix ${m.mix}; tokens: half HS256, half EdDSA (JWKS), each user its own token`);
  out.push(`- Latency and throughput: ${m.latencySource}`);
  out.push(`- Budget per row: p50 ≤ ${BUDGET.maxP50Ratio.toFixed(2)}× direct and req/s ≥ ${BUDGET.minRpsRatio.toFixed(2)}× direct; CPU is the proxy's user+system time (/proc) ÷ requests; RSS the peak VmRSS of the proxy's processes sampled during the round`);
  const log = accessLogLine(results);
  if (log) out.push(log);
  for (const note of m.notes) out.push(`- Note: ${note}`);
  if (chartFile) out.push('', `![p50, p99 and CPU per request: direct, nginx, Node floor, gateway](${chartFile})`);
  out.push('', '#### Targets', '', renderTargets(results.targets));
  out.push(...comparisonSections(results.comparisons ?? []));
  out.push(...revocationSections(results.revocationCost ?? []));
  for (const u of [...new Set(results.summary.map((r) => r.upstream))]) {
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
