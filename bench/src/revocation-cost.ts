// What a full revocation list costs the gateway: the revocations row (the same config with the
// bench's list loaded) against the plain gateway, per upstream and connection count, from the
// same alternating rounds. Reported beside the plain figure: the ratio of the medians, and
// whether the difference is measurable, i.e. above the plain gateway's own round-to-round spread.
import { REVOCATION_LIST_SIZE } from './bench-revocations.js';
import { ratioOf } from './ratios.js';
import type { CompareMetric, RevocationCost, RevocationCostFigure, SummaryRow } from './results.js';
import type { Spread } from './stats.js';

/** CPU per request and p50 are what the issue asks about; p99 and RSS show a heap or GC cost. */
export const REVOCATION_COST_METRICS: readonly CompareMetric[] = ['cpuUsPerReq', 'p50Us', 'p99Us', 'rssMb'];

function spreadOf(row: SummaryRow | undefined, metric: CompareMetric): Spread | null {
  if (!row) return null;
  const s = metric === 'cpuUsPerReq' ? row.proxyCpuUsPerReq
    : metric === 'p50Us' ? row.p50Us
      : metric === 'p99Us' ? row.p99Us
        : metric === 'rssMb' && row.proxyRssKb ? { ...row.proxyRssKb, median: row.proxyRssKb.median / 1024, min: row.proxyRssKb.min / 1024, max: row.proxyRssKb.max / 1024 }
          : null;
  return s && s.n > 0 && Number.isFinite(s.median) ? s : null;
}

export function revocationFigure(plainRow: SummaryRow | undefined, revokedRow: SummaryRow | undefined, metric: CompareMetric): RevocationCostFigure {
  const plain = spreadOf(plainRow, metric);
  const revoked = spreadOf(revokedRow, metric);
  // Every figure here is worse when higher, so only a median above the plain gateway's worst round counts.
  const measurable = plain && revoked && plain.n >= 2 ? revoked.median > plain.max : null;
  return { metric, plain, revoked, ratio: ratioOf(revoked?.median ?? null, plain?.median ?? null), measurable };
}

/** One entry per upstream × connection count where the revocations row was measured. */
export function compareRevocationCost(rows: readonly SummaryRow[], entries = REVOCATION_LIST_SIZE): RevocationCost[] {
  const out: RevocationCost[] = [];
  for (const revokedRow of rows.filter((r) => r.target === 'gateway-revocations')) {
    const { upstream, connections } = revokedRow;
    const plainRow = rows.find((r) => r.upstream === upstream && r.connections === connections && r.target === 'gateway');
    out.push({ upstream, connections, entries, figures: REVOCATION_COST_METRICS.map((metric) => revocationFigure(plainRow, revokedRow, metric)) });
  }
  return out.sort((a, b) => a.upstream.localeCompare(b.upstream) || a.connections - b.connections);
}

