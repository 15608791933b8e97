// `npm run bench -- --interleaved`: the 1-connection latency of direct, nginx, the Node floor and
// the gateway, taken in turn in short bursts by one client (interleaved.ts), so a slow spell of
// this host falls on all of them alike. The rounds of the main run time one target for seconds
// at a time, and on this VM their per-round 1-connection ratios spread by 2×.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { prepareUsers } from './bench-users.js';
import type { InterleavedSummary } from './interleaved.js';
import { renderInterleaved, type InterleavedRound } from './interleaved-report.js';
import { pinnedCommand } from './placement.js';
import { cpuSeconds } from './proc-cpu.js';
import { BENCH_ROOT, startFloor, startGateway, startNginx, startUpstreamTodo } from './services.js';
import type { Service } from './spawn-service.js';
import { callApi, describeAnswer } from './task-api.js';
import type { RunContext } from './run-context.js';

const WORKER = fileURLToPath(new URL('./interleaved-worker.js', import.meta.url));

export interface InterleavedContext extends RunContext {
  /** nginx's binary, when installed. */
  readonly nginx: string | undefined;
}

export async function runInterleavedBench(ctx: InterleavedContext): Promise<string> {
  const { options, placement, log } = ctx;
  const started: Service[] = [];
  try {
    const upstream = await startUpstreamTodo(join(ctx.workDir, 'interleaved.db'), placement.upstream);
    started.push(upstream);
    const plans = await prepareUsers(upstream.url, ctx.keys);
    const planFile = join(ctx.workDir, 'interleaved-plan.json');
    writeFileSync(planFile, JSON.stringify(plans.mixed), { mode: 0o600 });
    const env = { upstreamUrl: upstream.url, jwksUrl: ctx.jwksUrl, secret: ctx.keys.secret, workers: ctx.workers };
    const proxies: Array<[string, Service]> = [];
    if (ctx.nginx) proxies.push(['nginx', await startNginx(ctx.nginx, ctx.workDir, upstream.url, placement.proxy)]);
    proxies.push(['floor', await startFloor({ ...env, tokenCacheEntries: 10_000 }, placement.proxy)]);
    proxies.push(['gateway', await startGateway({ ...env, adminToken: ctx.keys.adminToken }, placement.proxy)]);
    started.push(...proxies.map(([, s]) => s));
    const first = plans.mixed.find((r) => r.op === 'list')!;
    for (const [name, service] of proxies) {
      const probe = await callApi(service.url, 'GET', first.path, first.headers.authorization!.slice('Bearer '.length));
      if (probe.status !== 200) throw new Error(`${name}: GET ${first.path} answered ${describeAnswer(probe)}`);
    }
    const targets = [['direct', upstream.url] as const, ...proxies.map(([name, s]) => [name, s.url] as const)];
    const run = async (seconds: number): Promise<Record<string, InterleavedSummary>> => {
      const [cmd, argv] = pinnedCommand(process.execPath, [WORKER, planFile, String(seconds), ...targets.map(([n, url]) => `${n}=${url}`)], placement.loadgen);
      const { stdout } = await promisify(execFile)(cmd, argv, { timeout: (seconds + 60) * 1000 });
      return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, InterleavedSummary>;
    };
    // Once, untimed: every process's JIT warm before the first round (each round warms its connections).
    if (options.warmupSec > 0) await run(options.warmupSec);
    const rounds: InterleavedRound[] = [];
    for (let r = 0; r < options.rounds; r++) {
      log(`interleaved: round ${r + 1} of ${options.rounds}, ${options.durationSec} s, 1 connection to each of ${targets.map(([n]) => n).join(', ')}`);
      const before = proxies.map(([, s]) => cpuSeconds(s.pid));
      const summaries = await run(options.durationSec);
      const cpuUs = Object.fromEntries(proxies.map(([name, s], i) => [name, ((cpuSeconds(s.pid) - before[i]!) * 1e6) / Math.max(1, summaries[name]?.sent ?? 0)]));
      rounds.push({ summaries, cpuUs });
    }
    const heading = `### 1 connection, interleaved — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\nupstream-todo, the mix with cached tokens, gateway at its default config; ${options.rounds} round(s) of ${options.durationSec} s, each target taken in turn in bursts of 48 requests (the first 8 untimed).`;
    const report = renderInterleaved(rounds, targets.map(([n]) => n), heading);
    const outDir = options.outDir ?? join(BENCH_ROOT, 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'interleaved.json'), `${JSON.stringify({ finishedAt: new Date().toISOString(), targets: targets.map(([n]) => n), rounds }, null, 2)}\n`);
    writeFileSync(join(outDir, 'interleaved.md'), `${report}\n`);
    log(`interleaved: written ${join(outDir, 'interleaved')}.json and .md`);
    return report;
  } finally {
    for (const s of started.reverse()) await s.stop();
  }
}
