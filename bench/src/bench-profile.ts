// `npm run bench -- --profile`: where the gateway's microseconds go. One load run against
// upstream-todo (cached tokens, default config, the largest --connections: 32 by default) with
// the gateway under `node --cpu-prof`; after a graceful stop every process has written its
// .cpuprofile, and the top 25 functions by self time are printed and saved beside them.
// `--profile-target floor` makes the same run through the Node floor: the two profiles side by
// side say what the gateway spends above Node's own cost, function by function.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareUsers } from './bench-users.js';
import { parseCpuProfile, renderTopSelfTime, selfTimes } from './cpuprofile.js';
import type { LoadGenerator } from './loadgen.js';
import { cpuSeconds } from './proc-cpu.js';
import { BENCH_ROOT, REPO_ROOT, startFloor, startGateway, startUpstreamTodo } from './services.js';
import type { Service } from './spawn-service.js';
import { callApi, describeAnswer } from './task-api.js';
import type { RunContext } from './run-context.js';

export interface ProfileContext extends RunContext {
  readonly loadgen: LoadGenerator;
}

/** Script URLs relative to the repository, so the table stays narrow. */
export function shortenUrl(url: string): string {
  const root = `file://${REPO_ROOT}`;
  if (url.startsWith(root)) return url.slice(root.length);
  const nm = url.lastIndexOf('/node_modules/');
  return nm >= 0 ? url.slice(nm + 1) : url;
}

export async function runProfile(ctx: ProfileContext): Promise<string> {
  const { options, placement, loadgen, log } = ctx;
  const dir = options.profileDir ?? join(BENCH_ROOT, 'results/profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  const connections = Math.max(...options.connections);
  // What is profiled, as the log lines, the report's title and its run line name it.
  const { label, title, config } = options.profileTarget === 'floor'
    ? { label: 'node floor', title: 'Node floor', config: 'token cache 10000' }
    : { label: 'gateway', title: 'Gateway', config: 'default config' };
  const started: Service[] = [];
  let profiled: Service | undefined;
  let summary: string;
  let window: { fromUs: number; toUs: number };
  try {
    const upstream = await startUpstreamTodo(join(ctx.workDir, 'profile.db'), placement.upstream);
    started.push(upstream);
    const plans = await prepareUsers(upstream.url, ctx.keys);
    const plan = loadgen.prepare('profile-mixed', plans.mixed, ctx.workDir);
    const profiler = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    const env = { upstreamUrl: upstream.url, jwksUrl: ctx.jwksUrl, secret: ctx.keys.secret, workers: ctx.workers };
    profiled = options.profileTarget === 'floor'
      ? await startFloor({ ...env, tokenCacheEntries: 10_000 }, placement.proxy, profiler)
      : await startGateway({ ...env, adminToken: ctx.keys.adminToken }, placement.proxy, profiler);
    started.push(profiled);
    const first = plans.mixed.find((r) => r.op === 'list')!;
    const probe = await callApi(profiled.url, 'GET', first.path, first.headers.authorization!.slice('Bearer '.length));
    if (probe.status !== 200) throw new Error(`${label}: GET ${first.path} answered ${describeAnswer(probe)}`);
    if (options.warmupSec > 0) await loadgen.run(profiled.url, plan, connections, options.warmupSec);
    const cpuBefore = cpuSeconds(profiled.pid);
    log(`profile: ${options.durationSec} s at ${connections} connections through the ${label} (node --cpu-prof, samples every 1 ms)`);
    const nowUs = () => Number(process.hrtime.bigint() / 1000n); // the clock V8 stamps samples with
    const fromUs = nowUs();
    const r = await loadgen.run(profiled.url, plan, connections, options.durationSec);
    window = { fromUs, toUs: nowUs() };
    const cpuUs = ((cpuSeconds(profiled.pid) - cpuBefore) * 1e6) / Math.max(1, r.requests);
    summary = `${r.requests} requests, ${r.rps.toFixed(0)} req/s, p50 ${r.latencyUs.p50} µs, p99 ${r.latencyUs.p99} µs, ${label} CPU ${cpuUs.toFixed(1)} µs/request (profiler included), ${r.failures} failed`;
    log(`profile: ${summary}`);
  } finally {
    // A graceful stop (SIGTERM) is what makes node write the .cpuprofile files.
    for (const s of started.reverse()) await s.stop();
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}: did the ${label} exit cleanly on SIGTERM?`);
  // Only the samples of the measured run: start-up (module loading) and warm-up would crowd the top.
  const report = selfTimes(files.map((f) => parseCpuProfile(readFileSync(join(dir, f), 'utf8'))), window!);
  const text = [
    `### ${title} CPU profile — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- Run: upstream-todo, ${connections} connections, ${options.durationSec} s, cached tokens, ${config}; ${summary}`,
    `- Profiles: ${files.length} file(s) in ${dir}, ranked over the load run only (they also hold start-up and warm-up; open one in Chrome DevTools → Performance, or speedscope, for the call tree)`,
    '',
    renderTopSelfTime(report, 25, shortenUrl),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'top-self-time.md'), text);
  return text;
}
