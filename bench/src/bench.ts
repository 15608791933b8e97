#!/usr/bin/env node
// `npm run bench`: direct vs nginx vs the Node floor vs the gateway, side by side, on this
// machine. Starts everything it measures, pinned to cores, and writes results/latest.{json,md,svg}
// and the table in bench/README.md; `--profile` profiles the gateway instead. See BENCH_USAGE and
// bench/README.md for the method.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_USAGE, parseBenchArgs } from './bench-options.js';
import { runInterleavedBench } from './bench-interleaved.js';
import { runProfile } from './bench-profile.js';
import { measureUpstream } from './bench-upstream.js';
import { renderChartSvg } from './chart-svg.js';
import { autocannonGenerator, wrkGenerator } from './loadgen.js';
import { describeMix } from './mix.js';
import { spread } from './stats.js';
import { describePlacement, planPlacement, setNiceness } from './placement.js';
import { compareAll } from './ratios.js';
import { renderResultsMarkdown, spliceReadme } from './render-results.js';
import { compareRevocationCost } from './revocation-cost.js';
import type { BenchResults, Measurement } from './results.js';
import { BENCH_ROOT, GATEWAY_BIN, GATEWAY_CONFIG_TEMPLATE, REPO_ROOT, gatewayEnvironment } from './services.js';
import { summarise } from './summary.js';
import { evaluateTargetsByRound } from './target-rounds.js';
import { generateBenchKeys, startJwksServer } from './tokens.js';
import { aptLine, detectTools, toolVersions } from './tools.js';

const log = (line: string): void => { process.stderr.write(`${line}\n`); };

/** The gateway is measured only if it is built and accepts the bench config. */
function gatewayProblem(): string | undefined {
  if (!existsSync(GATEWAY_BIN)) return `gateway not found at ${GATEWAY_BIN}`;
  const env = gatewayEnvironment({ upstreamUrl: 'http://127.0.0.1:9', jwksUrl: 'http://127.0.0.1:9/jwks', secret: 'x'.repeat(43), workers: 1, adminToken: 'a'.repeat(43) }, { listen: 1, admin: 2 });
  const check = spawnSync(process.execPath, [GATEWAY_BIN, '--check-config', GATEWAY_CONFIG_TEMPLATE], { env, encoding: 'utf8', timeout: 20_000 });
  if (check.status !== 0) return `the gateway rejects ${GATEWAY_CONFIG_TEMPLATE}: ${(check.stderr || check.stdout || String(check.error)).trim().split('\n').slice(0, 5).join(' | ')}`;
  return undefined;
}

async function main(): Promise<number> {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (!parsed.ok) {
    log(`bench: ${parsed.error}\n\n${BENCH_USAGE}`);
    return 2;
  }
  const options = parsed.options;
  if (options.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  // The 1-minute load average before we start anything: other work on the machine makes
  // every number noisy, and the reader should know.
  const loadAtStart = loadavg()[0] ?? 0;
  if (loadAtStart > 0.5) {
    log(`bench: the machine is busy (load average ${loadAtStart.toFixed(2)}): expect noisy numbers`);
    notes.push(`the machine was busy before the run (1-min load average ${loadAtStart.toFixed(2)} on ${availableParallelism()} cores): numbers are noisier than on an idle machine`);
  }
  const tools = detectTools();
  const apt = aptLine(tools);
  if (apt) {
    for (const m of tools.missing) log(`bench: missing ${m.apt} (${m.why})`);
    log(`bench: to measure everything, install them with:\n  ${apt}\n`);
    for (const m of tools.missing) notes.push(`not installed: ${m.apt} (${m.why})`);
  }
  if (!existsSync(join(REPO_ROOT, 'upstream-todo/dist/main.js'))) {
    log('bench: upstream-todo is not built; run `npm run build` at the repository root first');
    return 2;
  }
  const gwProblem = gatewayProblem();
  if (gwProblem && options.profile) {
    log(`bench: cannot profile the gateway: ${gwProblem}`);
    return 2;
  }
  if (gwProblem) {
    log(`bench: measuring without the gateway: ${gwProblem}`);
    notes.push(`gateway not measured: ${gwProblem}`);
  }

  const placement = planPlacement(availableParallelism(), tools.taskset);
  setNiceness(options.nice);
  const priority = options.nice === undefined ? '' : `; measured processes at nice ${options.nice}`;
  log(`bench: placement: ${describePlacement(placement)}${priority}`);
  const workers = options.workers ?? placement.proxy.length;
  const loadgen = tools.wrk ? wrkGenerator(tools.wrk, placement.loadgen) : autocannonGenerator(placement.loadgen);
  if (!options.interleaved) log(`bench: latency from ${loadgen.latencySource}`);

  const workDir = mkdtempSync(join(tmpdir(), 'jwt-gateway-bench-'));
  const keys = await generateBenchKeys();
  const jwks = await startJwksServer(keys.jwks);
  if (options.profile || options.interleaved) {
    try {
      const report = options.profile
        ? await runProfile({ options, placement, loadgen, keys, jwksUrl: jwks.url, workDir, workers, log })
        : await runInterleavedBench({ options, placement, keys, jwksUrl: jwks.url, workDir, workers, nginx: tools.nginx, log });
      process.stdout.write(`\n${report}\n`);
      return 0;
    } finally {
      await jwks.close();
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  const measurements: Measurement[] = [];
  const metrics: Record<string, string[]> = {};
  try {
    for (const upstream of options.upstreams) {
      if (upstream === 'fastapi' && !tools.fastapi) {
        log('bench: skipping the FastAPI upstream (python3-fastapi, python3-uvicorn, python3-sqlmodel not importable by /usr/bin/python3)');
        continue;
      }
      const run = await measureUpstream(upstream, {
        options, placement, loadgen, keys, jwksUrl: jwks.url, workDir, nginx: tools.nginx, gatewayAvailable: !gwProblem, workers, log,
      });
      measurements.push(...run.measurements);
      notes.push(...run.notes);
      if (run.gatewayMetrics.length) metrics[upstream] = run.gatewayMetrics;
    }
  } finally {
    await jwks.close();
    rmSync(workDir, { recursive: true, force: true });
  }

  const summary = summarise(measurements);
  const failed = measurements.reduce((n, m) => n + m.failures, 0);
  if (failed) notes.push(`${failed} requests failed during the rounds: those numbers are suspect`);
  const repeated = measurements.filter((m) => (m.attempts ?? 1) > 1).length;
  if (repeated) notes.push(`${repeated} of ${measurements.length} rounds were disturbed by other processes and repeated (up to ${options.retryDisturbed} time(s)); the least disturbed attempt is kept`);
  const otherCpuCores = spread(measurements.map((m) => m.otherCpuCores ?? Number.NaN));
  if (otherCpuCores.max > 0.1) {
    notes.push(`other processes on the machine used up to ${otherCpuCores.max.toFixed(2)} cores during the rounds (median ${otherCpuCores.median.toFixed(2)}): rounds that overlap with them are noisy, which is what the min–max shows`);
  }
  const results: BenchResults & { gatewayTokenCacheMetrics: Record<string, string[]> } = {
    meta: {
      startedAt,
      finishedAt: new Date().toISOString(),
      host: { cpus: availableParallelism(), model: cpus()[0]?.model.trim() ?? 'unknown', kernel: `Linux ${release()}`, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg()[0] ?? 0 },
      versions: toolVersions(tools),
      placement: `${describePlacement(placement)}; gateway workers: ${workers}${priority}`,
      latencySource: loadgen.latencySource,
      mix: describeMix(),
      rounds: options.rounds,
      durationSec: options.durationSec,
      warmupSec: options.warmupSec,
      connections: options.connections,
      quick: options.quick,
      otherCpuCores,
      notes,
    },
    summary,
    comparisons: compareAll(summary),
    targets: evaluateTargetsByRound(measurements),
    revocationCost: compareRevocationCost(summary),
    measurements,
    gatewayTokenCacheMetrics: metrics,
  };
  const outDir = options.outDir ?? join(BENCH_ROOT, 'results');
  mkdirSync(outDir, { recursive: true });
  // Quick runs are for checking the harness: they never replace the published numbers.
  const base = options.quick ? 'quick' : 'latest';
  const markdown = renderResultsMarkdown(results, `${base}.svg`);
  writeFileSync(join(outDir, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, `${base}.md`), markdown);
  writeFileSync(join(outDir, `${base}.svg`), renderChartSvg({
    title: `Gateway benchmark — ${results.meta.finishedAt.slice(0, 16).replace('T', ' ')} UTC${options.quick ? ' (quick run: harness check, not a result)' : ''}`,
    subtitle: `${results.meta.host.cpus} vCPU ${results.meta.host.model}; medians of ${options.rounds} alternating rounds of ${options.durationSec} s; cached tokens, gateway at its default config`,
    summary,
  }));
  if (options.updateReadme && !options.quick && !options.outDir) {
    const readmePath = join(BENCH_ROOT, 'README.md');
    const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '# bench\n';
    writeFileSync(readmePath, spliceReadme(readme, renderResultsMarkdown(results, `results/${base}.svg`)));
  }
  process.stdout.write(`\n${renderResultsMarkdown(results)}\nWritten: ${join(outDir, base)}.json, .md and .svg\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (e: unknown) => { log(`bench: ${(e as Error).stack ?? String(e)}`); process.exitCode = 1; },
);
