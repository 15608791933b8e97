// Runs `gateway init` in-process with captured output, and reads back what it wrote with the
// gateway's own config parser.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { RouteConfig } from '../../../src/config/index.js';
import { parseConfig } from '../../../src/gateway-config.js';
import { runInit } from '../../../src/process/init/index.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const fixture = (name: string): string => join(FIXTURES, name);

export interface InitRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** `gateway init ARGS` with an empty environment unless one is given (the result must not depend on the shell). */
export async function init(args: string[], env: Record<string, string> = {}): Promise<InitRun> {
  const out = sink();
  const err = sink();
  const code = await runInit(args, { stdout: out.stream, stderr: err.stream, env });
  return { code, stdout: out.text(), stderr: err.text() };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gateway-init-'));
}

/** A path in a fresh, empty directory, for --out. */
export function freshOut(name = 'gateway.yaml'): { dir: string; file: string } {
  const dir = tempDir();
  return { dir, file: join(dir, name) };
}

/** True when nothing at all was left in the directory (no config, no temporary file). */
export function nothingWritten(dir: string): boolean {
  return readdirSync(dir).length === 0;
}

export const readText = (file: string): string => readFileSync(file, 'utf8');
export const exists = existsSync;

/** The routes as the gateway itself reads them from YAML. */
export function routesOf(yaml: string, env: Record<string, string> = {}): Array<Pick<RouteConfig, 'path' | 'methods' | 'owner' | 'public'>> {
  return parseConfig(yaml, env).config.routes.map((r) => ({ path: r.path, methods: [...r.methods], owner: r.owner, public: r.public }));
}

/** Routes sorted by path, so two configs compare whatever their route order. */
export const byPath = <T extends { path: string }>(routes: T[]): T[] => [...routes].sort((a, b) => a.path.localeCompare(b.path));
