// One round of one path: the load run, and what it cost — the proxy's and the upstream's CPU per
// request, the proxy's RSS, the gateway's log lines, and how much other processes ran meanwhile;
// a round disturbed by them is run again and the least disturbed attempt kept.
import type { LoadGenerator, PreparedPlan } from './loadgen.js';
import { cpuSeconds, selfAndReapedChildrenSeconds, systemBusySeconds } from './proc-cpu.js';
import { sampleRss } from './proc-mem.js';
import { TARGET_LABELS, type Measurement, type TargetId, type UpstreamId } from './results.js';
import type { Service } from './spawn-service.js';

/** Other processes using more than this many cores during a round make it "disturbed". */
export const DISTURBED_CORES = 0.25;

export interface LiveTarget {
  readonly id: TargetId;
  readonly url: string;
  readonly plan: PreparedPlan;
  /** The proxy process whose CPU is charged to this path (none for direct). */
  readonly proxy: Service | undefined;
}

export interface RoundContext {
  readonly upstreamId: UpstreamId;
  readonly upstream: Service;
  /** Every proxy started for this upstream: their CPU is the bench's own, not other processes'. */
  readonly proxies: readonly Service[];
  readonly loadgen: LoadGenerator;
  readonly durationSec: number;
  /** How often a disturbed round is repeated. */
  readonly retryDisturbed: number;
  readonly log: (line: string) => void;
}

function cpuPerRequestUs(before: number, after: number, requests: number): number | null {
  if (!Number.isFinite(before) || !Number.isFinite(after) || requests <= 0) return null;
  return ((after - before) * 1e6) / requests;
}

async function measureOnce(t: LiveTarget, connections: number, round: number, ctx: RoundContext): Promise<Measurement> {
  const { upstream } = ctx;
  const ours = (): number => ctx.proxies.reduce((sum, p) => sum + cpuSeconds(p.pid), cpuSeconds(upstream.pid)) + selfAndReapedChildrenSeconds();
  const busyBefore = systemBusySeconds();
  const oursBefore = ours();
  const proxyBefore = t.proxy ? cpuSeconds(t.proxy.pid) : Number.NaN;
  const upstreamBefore = cpuSeconds(upstream.pid);
  const linesBefore = t.proxy?.stdoutLines() ?? 0;
  const rss = t.proxy ? sampleRss(t.proxy.pid) : undefined;
  const wallBefore = process.hrtime.bigint();
  const r = await ctx.loadgen.run(t.url, t.plan, connections, ctx.durationSec);
  const wallSec = Number(process.hrtime.bigint() - wallBefore) / 1e9;
  const proxyRssKb = rss?.stop() ?? null;
  const proxyAfter = t.proxy ? cpuSeconds(t.proxy.pid) : Number.NaN;
  const upstreamAfter = cpuSeconds(upstream.pid);
  const other = (systemBusySeconds() - busyBefore - (ours() - oursBefore)) / wallSec;
  return {
    upstream: ctx.upstreamId,
    target: t.id,
    connections,
    round,
    requests: r.requests,
    rps: r.rps,
    failures: r.failures,
    latencyUs: r.latencyUs,
    proxyCpuUsPerReq: t.proxy ? cpuPerRequestUs(proxyBefore, proxyAfter, r.requests) : null,
    upstreamCpuUsPerReq: cpuPerRequestUs(upstreamBefore, upstreamAfter, r.requests),
    proxyRssKb,
    // Only the gateway logs per request; the others write nothing to stdout.
    proxyLogLinesPerReq: t.proxy && r.requests > 0 && t.id.startsWith('gateway') ? (t.proxy.stdoutLines() - linesBefore) / r.requests : null,
    otherCpuCores: Number.isFinite(other) ? Math.max(0, other) : null,
  };
}

export function describeMeasurement(m: Measurement, suffix: string): string {
  const cpu = m.proxyCpuUsPerReq === null ? '' : `, proxy CPU ${m.proxyCpuUsPerReq.toFixed(1)} µs/req`;
  const rssMb = m.proxyRssKb ? `, RSS ${(m.proxyRssKb / 1024).toFixed(0)} MB` : '';
  const other = m.otherCpuCores && m.otherCpuCores > 0.1 ? `  (other processes: ${m.otherCpuCores.toFixed(2)} cores)` : '';
  return `  round ${m.round} c=${m.connections} ${TARGET_LABELS[m.target].padEnd(26)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${String(m.latencyUs.p50).padStart(5)} µs  p99 ${String(m.latencyUs.p99).padStart(6)} µs${cpu}${rssMb}${m.failures ? `  FAILED ${m.failures}` : ''}${other}${suffix}`;
}

/**
 * The round, repeated (ctx.retryDisturbed times at most) while other work on the machine
 * disturbs it; the least disturbed attempt is kept, and says how many it took.
 */
export async function measureLeastDisturbed(t: LiveTarget, connections: number, round: number, ctx: RoundContext): Promise<Measurement> {
  let best: Measurement | undefined;
  for (let attempt = 1; attempt <= 1 + ctx.retryDisturbed; attempt++) {
    const m = { ...(await measureOnce(t, connections, round, ctx)), attempts: attempt };
    if (!best || (m.otherCpuCores ?? 0) < (best.otherCpuCores ?? 0)) best = m;
    const disturbed = (m.otherCpuCores ?? 0) > DISTURBED_CORES;
    ctx.log(describeMeasurement(m, disturbed && attempt <= ctx.retryDisturbed ? ' — disturbed, repeating' : ''));
    if (!disturbed) break;
  }
  return best!;
}
