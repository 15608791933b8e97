// The stack's processes: each in its own process group with its output prefixed, the others
// stopped (gateway first) when one dies or on Ctrl-C, and never left running behind a crash.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { paint } from './console.mjs';

const children = [];
let stopping = false;

/** True once the stack is stopping (Ctrl-C, a signal, or a child that died). */
export const isStopping = () => stopping;

export function startChild(name, color, args, options) {
  // Own process group: Ctrl-C reaches only this script, which then stops the children in order.
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prefix = paint(color, `[${name}]`.padEnd(10));
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix} ${line}\n`));
  }
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const entry = { name, child, exited };
  children.push(entry);
  exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`\n${paint('31', `${name} stopped unexpectedly`)} (${signal ?? `exit ${code}`}); stopping the others.`);
    void shutdown(1);
  });
  return entry;
}

/** Signals the child's whole process group (`next dev` runs workers of its own). */
function signal(child, sig) {
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
}

async function stopChild({ name, child, exited }) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  signal(child, 'SIGTERM');
  const timer = setTimeout(() => {
    console.error(`${name} did not stop within 10 s; killing it`);
    signal(child, 'SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

export async function shutdown(exitCode) {
  if (stopping) return;
  stopping = true;
  // The gateway first (no new API calls), then the web app, then the service behind them.
  for (const entry of [...children].reverse()) await stopChild(entry);
  process.exit(exitCode);
}

process.on('SIGINT', () => {
  console.log('\nstopping…');
  void shutdown(0);
});
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));
// Last resort if this script crashes: never leave servers running in the background.
process.on('exit', () => {
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) signal(child, 'SIGTERM');
});

/** Polls `url` until it answers 2xx; past the deadline, stops the stack (exit 1). */
export async function waitHealthy(name, url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!stopping) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      console.error(`\n${paint('31', `${name} did not become healthy at ${url} within ${timeoutMs / 1000} s`)}`);
      await shutdown(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
