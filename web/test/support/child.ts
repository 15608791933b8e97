// A child process for tests: output kept (for failure messages), lines observable as events,
// and a stop that waits for the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the first line (stdout or stderr) for which `match` returns a value. */
  waitFor<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T>;
  output(): string;
  stop(): Promise<void>;
}

export function startChild(
  name: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Child {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => {
      if (lines.length < 5000) lines.push(line);
      for (const listener of listeners) listener(line);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    name,
    process: child,
    output: () => lines.join('\n'),
    waitFor<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(onLine);
          child.off('exit', onExit);
          fn();
        };
        const onLine = (line: string) => {
          const value = match(line);
          if (value !== undefined) done(() => resolve(value));
        };
        const onExit = (code: number | null) =>
          done(() => reject(new Error(`${name} exited (code ${code}) before it was ready:\n${lines.join('\n')}`)));
        const timer = setTimeout(
          () => done(() => reject(new Error(`${name} not ready after ${timeoutMs} ms:\n${lines.join('\n')}`))),
          timeoutMs,
        );
        for (const line of lines) {
          const value = match(line);
          if (value !== undefined) return done(() => resolve(value));
        }
        if (child.exitCode !== null) return onExit(child.exitCode);
        listeners.add(onLine);
        child.once('exit', onExit);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
