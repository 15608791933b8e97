// Measures one upstream: starts it and the proxies in front of it (pinned), checks every path
// answers, warms each up, then runs alternating rounds and records CPU per request.
import { join } from 'node:path';
import { TODO_ONLY_TARGETS, type BenchOptions } from './bench-options.js';
import { prepareUsers, type BenchPlans } from './bench-users.js';
import type { LoadGenerator, PreparedPlan } from './loadgen.js';
import type { Placement } from './placement.js';
import { cpuSeconds, selfAndReapedChildrenSeconds, systemBusySeconds } from './proc-cpu.js';
import { TARGET_LABELS, type Measurement, type TargetId, type UpstreamId } from './results.js';
import { startBareProxy, startFastapi, startGateway, startNginx, startUpstreamTodo, type GatewayService } from './services.js';
import type { Service } from './spawn-service.js';
import { callApi, describeAnswer } from './task-api.js';
import type { BenchKeys } from './tokens.js';

/** Other processes using more than this many cores during a round make it "disturbed". */
export const DISTURBED_CORES = 0.25;

export interface UpstreamRunContext {
  readonly options: BenchOptions;
  readonly placement: Placement;
  readonly loadgen: LoadGenerator;
  readonly keys: BenchKeys;
  readonly jwksUrl: string;
  readonly workDir: string;
  readonly nginx: string | undefined;
  readonly gatewayAvailable: boolean;
  readonly workers: number;
  readonly log: (line: string) => void;
}

interface LiveTarget {
  readonly id: TargetId;
  readonly url: string;
  readonly plan: PreparedPlan;
  /** The proxy process whose CPU is charged to this path (none for direct). */
  readonly proxy: Service | undefined;
}

export interface UpstreamRunResult {
  readonly measurements: Measurement[];
  /** Token-cache lines from the gateway's /metrics after the rounds, for the record. */
  readonly gatewayMetrics: string[];
  /** Paths that could not be measured, and why. */
  readonly notes: string[];
}

async function startUpstream(id: UpstreamId, ctx: UpstreamRunContext): Promise<Service> {
  const db = join(ctx.workDir, `${id}.db`);
  return id === 'fastapi' ? startFastapi(db, ctx.placement.upstream) : startUpstreamTodo(db, ctx.placement.upstream);
}

/** One real request per path before measuring: a misconfigured path must fail loudly, not as a fast 401 benchmark. */
async function probe(target: LiveTarget, plans: BenchPlans, kind: keyof BenchPlans): Promise<void> {
  const first = plans[kind].find((r) => r.op === 'list')!;
  const token = first.headers.authorization!.slice('Bearer '.length);
  const answer = await callApi(target.url, 'GET', first.path, token);
  if (answer.status !== 200) throw new Error(`${TARGET_LABELS[target.id]}: GET ${first.path} answered ${describeAnswer(answer)}`);
}

function cpuPerRequestUs(before: number, after: number, requests: number): number | null {
  if (!Number.isFinite(before) || !Number.isFinite(after) || requests <= 0) return null;
  return ((after - before) * 1e6) / requests;
}

export async function measureUpstream(upstreamId: UpstreamId, ctx: UpstreamRunContext): Promise<UpstreamRunResult> {
  const { options, placement, loadgen, log } = ctx;
  const started: Service[] = [];
  const measurements: Measurement[] = [];
  let gatewayMetrics: string[] = [];
  const notes: string[] = [];
  try {
    const upstream = await startUpstream(upstreamId, ctx);
    started.push(upstream);
    log(`${upstreamId}: listening at ${upstream.url} (pid ${upstream.pid}); seeding tasks`);
    const plans = await prepareUsers(upstream.url, ctx.keys);
    const prepared = {
      mixed: loadgen.prepare(`${upstreamId}-mixed`, plans.mixed, ctx.workDir),
      hs256: loadgen.prepare(`${upstreamId}-hs256`, plans.hs256, ctx.workDir),
      eddsa: loadgen.prepare(`${upstreamId}-eddsa`, plans.eddsa, ctx.workDir),
    };

    const wanted = options.targets.filter((t) => upstreamId === 'upstream-todo' || !TODO_ONLY_TARGETS.includes(t));
    const targets: LiveTarget[] = [];
    const gatewayFor = async (tokenCacheEntries: number): Promise<GatewayService> => {
      const gw = await startGateway({ upstreamUrl: upstream.url, jwksUrl: ctx.jwksUrl, secret: ctx.keys.secret, tokenCacheEntries, workers: ctx.workers }, placement.proxy);
      started.push(gw);
      return gw;
    };
    let cached: GatewayService | undefined;
    let uncached: GatewayService | undefined;
    for (const id of wanted) {
      try {
      if (id === 'direct') targets.push({ id, url: upstream.url, plan: prepared.mixed, proxy: undefined });
      else if (id === 'nginx') {
        if (!ctx.nginx) continue;
        const ng = await startNginx(ctx.nginx, join(ctx.workDir, upstreamId), upstream.url, placement.proxy);
        started.push(ng);
        targets.push({ id, url: ng.url, plan: prepared.mixed, proxy: ng });
      } else if (id === 'node-proxy') {
        const bare = await startBareProxy(upstream.url, placement.proxy);
        started.push(bare);
        targets.push({ id, url: bare.url, plan: prepared.mixed, proxy: bare });
      } else {
        if (!ctx.gatewayAvailable) continue;
        if (id === 'gateway') {
          cached = await gatewayFor(10_000);
          targets.push({ id, url: cached.url, plan: prepared.mixed, proxy: cached });
        } else {
          uncached ??= await gatewayFor(0);
          targets.push({ id, url: uncached.url, plan: id === 'gateway-uncached-hs256' ? prepared.hs256 : prepared.eddsa, proxy: uncached });
        }
      }
      } catch (e) {
        // One path that will not start must not cost the user every other number.
        notes.push(`${upstreamId}: ${TARGET_LABELS[id]} not measured: ${(e as Error).message.split('\n')[0]}`);
        log(`${upstreamId}: ${TARGET_LABELS[id]} could not start:\n${(e as Error).message}`);
      }
    }
    for (const t of [...targets]) {
      try {
        await probe(t, plans, t.id === 'gateway-uncached-hs256' ? 'hs256' : t.id === 'gateway-uncached-eddsa' ? 'eddsa' : 'mixed');
      } catch (e) {
        if (t.id === 'direct') throw e;
        targets.splice(targets.indexOf(t), 1);
        notes.push(`${upstreamId}: ${TARGET_LABELS[t.id]} not measured: ${(e as Error).message}`);
        log(`${upstreamId}: ${(e as Error).message} — path skipped`);
      }
    }
    log(`${upstreamId}: paths ${targets.map((t) => TARGET_LABELS[t.id]).join(', ')}`);

    const proxies = [...new Set(targets.map((t) => t.proxy).filter((p): p is Service => p !== undefined))];
    const maxConnections = Math.max(...options.connections);
    if (options.warmupSec > 0) {
      for (const t of targets) await loadgen.run(t.url, t.plan, maxConnections, options.warmupSec);
    }

    const ours = (): number => proxies.reduce((sum, p) => sum + cpuSeconds(p.pid), cpuSeconds(upstream.pid)) + selfAndReapedChildrenSeconds();
    const measureOnce = async (t: LiveTarget, connections: number, round: number): Promise<Measurement> => {
      const busyBefore = systemBusySeconds();
      const oursBefore = ours();
      const proxyBefore = t.proxy ? cpuSeconds(t.proxy.pid) : Number.NaN;
      const upstreamBefore = cpuSeconds(upstream.pid);
      const wallBefore = process.hrtime.bigint();
      const r = await loadgen.run(t.url, t.plan, connections, options.durationSec);
      const wallSec = Number(process.hrtime.bigint() - wallBefore) / 1e9;
      const proxyAfter = t.proxy ? cpuSeconds(t.proxy.pid) : Number.NaN;
      const upstreamAfter = cpuSeconds(upstream.pid);
      const other = (systemBusySeconds() - busyBefore - (ours() - oursBefore)) / wallSec;
      return {
        upstream: upstreamId,
        target: t.id,
        connections,
        round,
        requests: r.requests,
        rps: r.rps,
        failures: r.failures,
        latencyUs: r.latencyUs,
        proxyCpuUsPerReq: t.proxy ? cpuPerRequestUs(proxyBefore, proxyAfter, r.requests) : null,
        upstreamCpuUsPerReq: cpuPerRequestUs(upstreamBefore, upstreamAfter, r.requests),
        otherCpuCores: Number.isFinite(other) ? Math.max(0, other) : null,
      };
    };
    const logMeasurement = (m: Measurement, suffix: string): void => {
      const cpu = m.proxyCpuUsPerReq === null ? '' : `, proxy CPU ${m.proxyCpuUsPerReq.toFixed(1)} µs/req`;
      const other = m.otherCpuCores && m.otherCpuCores > 0.1 ? `  (other processes: ${m.otherCpuCores.toFixed(2)} cores)` : '';
      log(`  round ${m.round} c=${m.connections} ${TARGET_LABELS[m.target].padEnd(26)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${String(m.latencyUs.p50).padStart(5)} µs  p99 ${String(m.latencyUs.p99).padStart(6)} µs${cpu}${m.failures ? `  FAILED ${m.failures}` : ''}${other}${suffix}`);
    };

    for (let round = 1; round <= options.rounds; round++) {
      for (const connections of options.connections) {
        // Alternate the order each round so slow drift (caches, the database file, thermal)
        // does not always favour the same path.
        const order = round % 2 === 1 ? targets : [...targets].reverse();
        for (const t of order) {
          // A round disturbed by other work on the machine is repeated (options.retryDisturbed
          // times at most); the least disturbed attempt is kept, and says how many it took.
          let best: Measurement | undefined;
          for (let attempt = 1; attempt <= 1 + options.retryDisturbed; attempt++) {
            const m = { ...(await measureOnce(t, connections, round)), attempts: attempt };
            if (!best || (m.otherCpuCores ?? 0) < (best.otherCpuCores ?? 0)) best = m;
            const disturbed = (m.otherCpuCores ?? 0) > DISTURBED_CORES;
            logMeasurement(m, disturbed && attempt <= options.retryDisturbed ? ' — disturbed, repeating' : '');
            if (!disturbed) break;
          }
          measurements.push(best!);
        }
      }
    }
    if (cached) gatewayMetrics = await scrapeTokenCacheMetrics(cached.adminUrl);
    return { measurements, gatewayMetrics, notes };
  } finally {
    for (const s of started.reverse()) await s.stop();
  }
}

async function scrapeTokenCacheMetrics(adminUrl: string): Promise<string[]> {
  try {
    const text = await (await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
    return text.split('\n').filter((l) => !l.startsWith('#') && /token_cache|cache_hit|cache_miss/.test(l));
  } catch {
    return [];
  }
}
