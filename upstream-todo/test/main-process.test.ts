// `node dist/main.js` as users run it: env config, one "listening" line,
// SIGTERM → graceful close → exit 0 with the database closed cleanly.
// Needs the build (`npm test` runs `tsc -b` first).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { client } from './helpers/http.js';
import { tempDir } from './helpers/temp-dir.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let dir: ReturnType<typeof tempDir> | undefined;
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  dir?.remove();
});

interface Started {
  child: ChildProcess;
  lines: Array<Record<string, any>>;
  /** resolves with the first log line that matches */
  waitFor(match: (line: Record<string, any>) => boolean): Promise<Record<string, any>>;
}

function run(env: Record<string, string>): Started {
  const proc = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const lines: Array<Record<string, any>> = [];
  const waiters: Array<{ match: (l: Record<string, any>) => boolean; resolve: (l: Record<string, any>) => void }> = [];
  createInterface({ input: proc.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, any>;
    lines.push(line);
    for (const w of waiters.splice(0)) {
      if (w.match(line)) w.resolve(line);
      else waiters.push(w);
    }
  });
  return {
    child: proc,
    lines,
    waitFor(match) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        proc.once('exit', (code) => reject(new Error(`exited with ${code} before the expected log line`)));
      });
    },
  };
}

describe('main.js', () => {
  it('is built (run `npx tsc -b upstream-todo` or `npm test`)', () => {
    expect(existsSync(MAIN), MAIN).toBe(true);
  });

  it('listens, serves, and on SIGTERM closes gracefully with exit 0', async () => {
    dir = tempDir();
    const dbPath = join(dir.path, 'main.sqlite');
    const started = run({ PORT: '0', HOST: '127.0.0.1', TODO_DB: dbPath, LOG_LEVEL: 'info' });

    const listening = await started.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('listening at '));
    const url = listening.msg.slice('listening at '.length);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started.lines.filter((l) => String(l.msg).startsWith('listening'))).toHaveLength(1);

    const api = client(url);
    const created = await api.post('/api/main/tasks', { json: { title: 'from main' } });
    expect(created.status).toBe(201);

    const exited = once(started.child, 'exit');
    started.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(started.lines.some((l) => l.msg === 'database closed, bye')).toBe(true);
    expect(existsSync(dbPath)).toBe(true);
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
  });

  it('exits 1 with a clear message on a bad PORT', async () => {
    const started = run({ PORT: 'eighty', TODO_DB: ':memory:' });
    const [code] = await once(started.child, 'exit');
    expect(code).toBe(1);
    const fatal = started.lines.find((l) => l.level === 60);
    expect(fatal?.err?.message).toMatch(/PORT must be an integer/);
  });
});
