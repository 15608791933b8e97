// Starts a measured process pinned to its cores (taskset) and stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { pinnedCommand } from './placement.js';

export interface Service {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** Last lines of the process's stderr, for error messages. */
  stderrTail(): string;
  /** Lines written to stdout so far (the gateway's access log: one per request at log_level info). */
  stdoutLines(): number;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cores?: readonly number[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly pid: number;
  stderrTail(): string;
  stdoutLines(): number;
  stop(): Promise<void>;
  /** Resolves with the exit code if the process ends; never rejects. */
  readonly exited: Promise<number | null>;
}

// Every process the bench started and has not stopped yet: killed if the bench itself exits
// or is interrupted, so no upstream, nginx or gateway outlives it.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => { for (const child of live) child.kill('SIGKILL'); });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of live) child.kill('SIGTERM');
      process.exit(130);
    });
  }
}

export function spawnPinned(opts: SpawnOptions): Spawned {
  installExitHook();
  const [command, args] = pinnedCommand(opts.command, opts.args, opts.cores);
  const child = spawn(command, args as string[], { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { tail = (tail + chunk).slice(-4000); });
  // stdout goes to a pipe the bench drains, the way a log collector reads a container's
  // stdout: the child pays for every write, as in a deployment. Counted, not decoded or kept.
  let lines = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  });
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => { live.delete(child); resolve(code); });
    child.once('error', (err) => { tail += `\n${err.message}`; resolve(null); });
  });
  if (child.pid === undefined) throw new Error(`${opts.name}: could not start ${command}`);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { child, pid: child.pid, stderrTail: () => tail.trim(), stdoutLines: () => lines, stop, exited };
}

/** Polls a health URL until it answers 2xx, the process dies, or the time is up. */
export async function waitForHttp(url: string, proc: Spawned, name: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void proc.exited.then(() => { dead = true; });
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${name} exited before it was ready:\n${proc.stderrTail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await proc.stop();
  throw new Error(`${name} was not ready at ${url} within ${timeoutMs} ms:\n${proc.stderrTail()}`);
}
