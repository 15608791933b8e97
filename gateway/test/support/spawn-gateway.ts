import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GATEWAY_BIN = fileURLToPath(new URL('../../bin/gateway.js', import.meta.url));

export interface SpawnedGateway {
  readonly child: ChildProcess;
  /** Every JSON line the process printed on stdout so far. */
  readonly lines: Array<Record<string, unknown>>;
  stderr(): string;
  /** Resolves with the first stdout line that matches; rejects if the process exits first. */
  waitForLine(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Like waitForLine, but only lines printed after this call count. */
  nextLine(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

export function writeTempConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-cli-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Runs the real `gateway` bin as a user would, and reads its JSON log lines. */
export function spawnGateway(args: string[], env: Record<string, string> = {}): SpawnedGateway {
  const child = spawn(process.execPath, [GATEWAY_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  let buffered = '';
  let watchers: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      try {
        lines.push(JSON.parse(text) as Record<string, unknown>);
      } catch {
        lines.push({ text });
      }
    }
    for (const watcher of watchers) watcher();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const gateway: SpawnedGateway = {
    child,
    lines,
    stderr: () => stderr,
    exited,
    nextLine(match) {
      const from = lines.length;
      return gateway.waitForLine((line) => lines.indexOf(line) >= from && match(line));
    },
    waitForLine(match) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found) {
            watchers = watchers.filter((w) => w !== check);
            resolve(found);
          }
        };
        watchers.push(check);
        check();
        void exited.then((code) => reject(new Error(`gateway exited (${code}) before the expected line; stderr: ${stderr}; stdout: ${JSON.stringify(lines)}`)));
      });
    },
  };
  return gateway;
}
