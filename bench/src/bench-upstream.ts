// Measures one upstream: starts it and the proxies in front of it (pinned), checks every path
// answers, warms each up, then runs alternating rounds (each one path's: bench-round.ts).
import { join } from 'node:path';
import { TODO_ONLY_TARGETS } from './bench-options.js';
import { REVOCATION_LIST_SIZE, loadRevocationList, readRevocationGauge } from './bench-revocations.js';
import { prepareUsers, type BenchPlans } from './bench-users.js';
import type { LoadGenerator, PreparedPlan } from './loadgen.js';
import { measureLeastDisturbed, type LiveTarget } from './bench-round.js';
import { TARGET_LABELS, type Measurement, type TargetId, type UpstreamId } from './results.js';
import { startFastapi, startFloor, startGateway, startNginx, startUpstreamTodo, type GatewayService } from './services.js';
import type { Service } from './spawn-service.js';
import { callApi, describeAnswer } from './task-api.js';
import type { RunContext } from './run-context.js';

export interface UpstreamRunContext extends RunContext {
  readonly loadgen: LoadGenerator;
  /** nginx's binary, when installed. */
  readonly nginx: string | undefined;
  readonly gatewayAvailable: boolean;
}

export interface UpstreamRunResult {
  readonly measurements: Measurement[];
  /** Token-cache lines from the gateway's /metrics after the rounds, for the record. */
  readonly gatewayMetrics: string[];
  /** Paths that could not be measured, and why. */
  readonly notes: string[];
}

/** The load plan each path gets: uncached paths send one algorithm only. */
function planKind(id: TargetId): keyof BenchPlans {
  return id.endsWith('uncached-hs256') ? 'hs256' : id.endsWith('uncached-eddsa') ? 'eddsa' : 'mixed';
}

type Plans = Readonly<Record<keyof BenchPlans, PreparedPlan>>;

/**
 * Starts every wanted proxy in front of `upstream`. The cached gateway runs at its default
 * config; the revocations row is a second one, sent the bench's revocation list through its
 * admin API (it is not measured unless the list is shown loaded and enforced); one gateway and
 * one floor with token_cache 0 serve both uncached paths (HS256, EdDSA).
 */
async function startTargets(
  wanted: readonly TargetId[], upstreamId: UpstreamId, upstream: Service, plans: Plans, started: Service[], notes: string[], ctx: UpstreamRunContext,
): Promise<{ targets: LiveTarget[]; cached: GatewayService | undefined; revoked: GatewayService | undefined }> {
  const { placement } = ctx;
  const targets: LiveTarget[] = [];
  const auth = { upstreamUrl: upstream.url, jwksUrl: ctx.jwksUrl, secret: ctx.keys.secret, workers: ctx.workers, adminToken: ctx.keys.adminToken };
  const keep = <S extends Service>(s: S): S => { started.push(s); return s; };
  let cached: GatewayService | undefined;
  let revoked: GatewayService | undefined;
  let uncachedGateway: GatewayService | undefined;
  let uncachedFloor: Service | undefined;
  for (const id of wanted) {
    try {
      let proxy: Service | undefined;
      if (id === 'direct') proxy = undefined;
      else if (id === 'nginx') {
        if (!ctx.nginx) continue;
        proxy = keep(await startNginx(ctx.nginx, join(ctx.workDir, upstreamId), upstream.url, placement.proxy));
      } else if (id === 'floor') proxy = keep(await startFloor({ ...auth, tokenCacheEntries: 10_000 }, placement.proxy));
      else if (id.startsWith('floor-uncached')) proxy = uncachedFloor ??= keep(await startFloor({ ...auth, tokenCacheEntries: 0 }, placement.proxy));
      else if (!ctx.gatewayAvailable) continue;
      else if (id === 'gateway') proxy = cached = keep(await startGateway(auth, placement.proxy));
      else if (id === 'gateway-revocations') {
        const gateway = keep(await startGateway(auth, placement.proxy));
        ctx.log(`${upstreamId}: posting ${REVOCATION_LIST_SIZE} revocations to the second gateway's admin API`);
        const { seconds } = await loadRevocationList(gateway, ctx.keys);
        ctx.log(`${upstreamId}: gateway_revocations reads ${REVOCATION_LIST_SIZE} after ${seconds.toFixed(1)} s; a token of the revoked subject gets 401 token_revoked`);
        proxy = revoked = gateway;
      } else proxy = uncachedGateway ??= keep(await startGateway({ ...auth, tokenCacheEntries: 0 }, placement.proxy));
      targets.push({ id, url: proxy?.url ?? upstream.url, plan: plans[planKind(id)], proxy });
    } catch (e) {
      // One path that will not start must not cost the user every other number.
      notes.push(`${upstreamId}: ${TARGET_LABELS[id]} not measured: ${(e as Error).message.split('\n')[0]}`);
      ctx.log(`${upstreamId}: ${TARGET_LABELS[id]} could not start:\n${(e as Error).message}`);
    }
  }
  return { targets, cached, revoked };
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
    const { targets, cached, revoked } = await startTargets(wanted, upstreamId, upstream, prepared, started, notes, ctx);
    for (const t of [...targets]) {
      try {
        await probe(t, plans, planKind(t.id));
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

    const roundContext = { upstreamId, upstream, proxies, loadgen, durationSec: options.durationSec, retryDisturbed: options.retryDisturbed, log };
    for (let round = 1; round <= options.rounds; round++) {
      for (const connections of options.connections) {
        // Alternate the order each round so slow drift (caches, the database file, thermal)
        // does not always favour the same path.
        const order = round % 2 === 1 ? targets : [...targets].reverse();
        for (const t of order) measurements.push(await measureLeastDisturbed(t, connections, round, roundContext));
      }
    }
    if (cached) gatewayMetrics = await scrapeTokenCacheMetrics(cached.adminUrl);
    // The list must have held through every round, or the row measured something else.
    const kept = revoked && (await readRevocationGauge(revoked.adminUrl).catch(() => undefined));
    if (revoked && kept !== REVOCATION_LIST_SIZE) notes.push(`${upstreamId}: after the rounds the revocations row's gateway enforced ${kept ?? 'an unknown number of'} revocations, not ${REVOCATION_LIST_SIZE}: that row is suspect`);
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
