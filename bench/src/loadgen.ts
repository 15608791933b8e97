// The two load generators the bench can drive, both pinned to the load generator's cores:
// wrk (preferred: its latencies are microseconds) and, when wrk is missing, autocannon in a
// child process timing each response in µs (autocannon-mix.ts).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTOCANNON_LATENCY_SOURCE } from './autocannon-mix.js';
import type { PlannedRequest } from './mix.js';
import { pinnedCommand } from './placement.js';
import { parseWrkOutput, type LoadResult } from './wrk-output.js';
import { renderWrkScript } from './wrk-script.js';

export interface PreparedPlan {
  readonly name: string;
  readonly file: string;
}

export interface LoadGenerator {
  readonly name: string;
  readonly latencySource: string;
  prepare(name: string, plan: readonly PlannedRequest[], dir: string): PreparedPlan;
  run(url: string, plan: PreparedPlan, connections: number, durationSec: number): Promise<LoadResult>;
}

interface Completed {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runPinned(command: string, args: readonly string[], cores: readonly number[] | undefined, timeoutMs: number): Promise<Completed> {
  const [cmd, argv] = pinnedCommand(command, args, cores);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr = (stderr + c).slice(-4000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

export function wrkGenerator(wrk: string, cores: readonly number[] | undefined): LoadGenerator {
  return {
    name: 'wrk',
    latencySource: 'wrk 4 (µs latency histogram) driven by a Lua script that rotates through the mix; req/s from wrk as well',
    prepare(name, plan, dir) {
      const file = join(dir, `${name}.lua`);
      writeFileSync(file, renderWrkScript(plan), { mode: 0o600 });
      return { name, file };
    },
    async run(url, plan, connections, durationSec) {
      // One wrk thread per load-generator core (never more threads than connections).
      const threads = Math.max(1, Math.min(connections, cores?.length ?? 1));
      const seconds = Math.max(1, Math.round(durationSec));
      const done = await runPinned(wrk, ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '5s', '-s', plan.file, url], cores, (seconds + 30) * 1000);
      if (done.code !== 0) throw new Error(`wrk exited with ${done.code}: ${done.stderr || done.stdout}`);
      return parseWrkOutput(done.stdout);
    },
  };
}

const WORKER = fileURLToPath(new URL('./autocannon-worker.js', import.meta.url));

export function autocannonGenerator(cores: readonly number[] | undefined): LoadGenerator {
  return {
    name: 'autocannon',
    latencySource: `${AUTOCANNON_LATENCY_SOURCE} (wrk not installed)`,
    prepare(name, plan, dir) {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(plan), { mode: 0o600 });
      return { name, file };
    },
    async run(url, plan, connections, durationSec) {
      const done = await runPinned(process.execPath, [WORKER, plan.file, url, String(connections), String(durationSec)], cores, (durationSec + 30) * 1000);
      if (done.code !== 0) throw new Error(`autocannon worker exited with ${done.code}: ${done.stderr}`);
      const result = JSON.parse(done.stdout.trim().split('\n').pop() ?? '') as LoadResult;
      return result;
    },
  };
}
