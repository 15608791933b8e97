// The load test behind `npm run loadtest -- --url <gateway> --token <jwt> …`: the benchmark's request mix against
// the user's own deployment, with a live progress line, a summary table, and an exit code a
// CI job can gate on (see LOADTEST_USAGE).
import { writeFileSync } from 'node:fs';
import { AUTOCANNON_LATENCY_SOURCE, runAutocannonMix, type Progress } from './autocannon-mix.js';
import { LOADTEST_USAGE, parseLoadtestArgs, subjectOf } from './loadtest-args.js';
import { buildMix, describeMix } from './mix.js';
import { callApi, deleteTasks, describeAnswer, seedTasks } from './task-api.js';
import { EXIT_FAILED, EXIT_USAGE, evaluateThresholds, exitCodeFor, formatMicros } from './thresholds.js';

function progressLine(p: Progress): string {
  return `${p.elapsedSec.toFixed(0).padStart(4)} s  ${p.currentRps.toFixed(0).padStart(6)} req/s  p50 ${formatMicros(p.p50Us).padStart(9)}  p99 ${formatMicros(p.p99Us).padStart(9)}  failed ${p.failures}  (${p.requests} requests)`;
}

export async function runLoadtest(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WriteStream | NodeJS.WritableStream = process.stderr): Promise<number> {
  const parsed = parseLoadtestArgs(argv, process.env);
  if (!parsed.ok) {
    err.write(`loadtest: ${parsed.error}\n\n${LOADTEST_USAGE}\n`);
    return EXIT_USAGE;
  }
  const o = parsed.options;
  if (o.help) {
    out.write(`${LOADTEST_USAGE}\n`);
    return 0;
  }
  const user = o.user ?? subjectOf(o.token);
  if (!user) {
    err.write('loadtest: the token has no "sub" claim to take the user id from; pass --user <id>\n');
    return EXIT_USAGE;
  }
  const listPath = `/api/${encodeURIComponent(user)}/tasks`;

  // One request first: a wrong token or URL is reported plainly instead of as 100% failures.
  try {
    const probe = await callApi(o.url, 'GET', listPath, o.token);
    if (probe.status !== 200) {
      err.write(`loadtest: GET ${listPath} answered ${describeAnswer(probe)}; check the token, --user and --url\n`);
      return EXIT_FAILED;
    }
  } catch (e) {
    err.write(`loadtest: cannot reach ${o.url}: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }

  let seeded: number[];
  try {
    seeded = await seedTasks(o.url, user, o.token, o.seedTasks);
  } catch (e) {
    err.write(`loadtest: ${(e as Error).message}\n`);
    return EXIT_FAILED;
  }

  out.write(`Load test of ${o.url} as user ${user}: ${o.durationSec} s, ${o.connections} connections\n`);
  out.write(`Mix: ${describeMix()}\nLatency: ${AUTOCANNON_LATENCY_SOURCE}\n`);
  const tty = 'isTTY' in err && err.isTTY === true;
  const plan = buildMix([{ id: user, token: o.token, taskIds: seeded }]);
  const result = await runAutocannonMix({
    url: o.url,
    plan,
    connections: o.connections,
    durationSec: o.durationSec,
    collectCreated: o.cleanup,
    onProgress: (p) => err.write(tty ? `\r${progressLine(p)}` : `${progressLine(p)}\n`),
  });
  if (tty) err.write('\n');

  let cleanupNote = 'kept (--no-cleanup)';
  if (o.cleanup) {
    const ids = [...seeded, ...result.createdIds];
    const failedDeletes = await deleteTasks(o.url, user, o.token, ids, Math.min(16, o.connections));
    cleanupNote = failedDeletes ? `${ids.length - failedDeletes} of ${ids.length} deleted` : `${ids.length} deleted`;
  }

  const l = result.latencyUs;
  const statuses = Object.entries(result.statuses).map(([s, n]) => `${s}: ${n}`).join(', ');
  out.write('\n| requests | req/s | p50 | p90 | p99 | p99.9 | max | failed |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n');
  out.write(`| ${result.requests} | ${result.rps.toFixed(0)} | ${formatMicros(l.p50)} | ${formatMicros(l.p90)} | ${formatMicros(l.p99)} | ${formatMicros(l.p999)} | ${formatMicros(l.max)} | ${result.failures} |\n\n`);
  out.write(`Responses: ${statuses || 'none'}\nTasks created by the run: ${cleanupNote}\n\n`);
  const checks = evaluateThresholds(result, o.thresholds);
  for (const c of checks) out.write(`${c.met ? 'PASS' : 'FAIL'}  ${c.name}: ${c.measured} (limit ${c.limit})\n`);
  const code = exitCodeFor(checks);
  if (o.json) {
    writeFileSync(o.json, `${JSON.stringify({ url: o.url, user, durationSec: o.durationSec, connections: o.connections, mix: describeMix(), latencySource: AUTOCANNON_LATENCY_SOURCE, result, checks, exitCode: code }, null, 2)}\n`);
  }
  out.write(code === 0 ? '\nAll requests succeeded and every threshold was met.\n' : '\nLoad test FAILED (see above).\n');
  return code;
}
