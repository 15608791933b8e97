// What the machine has. The bench measures whatever it can and, for anything missing, prints
// the one apt-get line that would add it instead of failing.
import { spawnSync } from 'node:child_process';

/** Debian's own interpreter: the python3 first on PATH (pyenv, venvs) lacks the apt packages. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface Tools {
  readonly wrk: string | undefined;
  readonly nginx: string | undefined;
  readonly taskset: boolean;
  /** True when Debian's python3-fastapi, -uvicorn and -sqlmodel import under /usr/bin/python3. */
  readonly fastapi: boolean;
  /** apt package → why it is wanted, for everything missing. */
  readonly missing: ReadonlyArray<{ readonly apt: string; readonly why: string }>;
}

function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

function firstLine(command: string, args: string[]): string | undefined {
  const out = spawnSync(command, args, { encoding: 'utf8' });
  if (out.error) return undefined;
  return `${out.stdout}${out.stderr}`.trim().split('\n')[0];
}

export function detectTools(): Tools {
  const wrk = which('wrk');
  const nginx = which('nginx') ?? (spawnSync('test', ['-x', '/usr/sbin/nginx']).status === 0 ? '/usr/sbin/nginx' : undefined);
  const taskset = which('taskset') !== undefined;
  const py = spawnSync(SYSTEM_PYTHON, ['-c', 'import fastapi, uvicorn, sqlmodel'], { encoding: 'utf8' });
  const fastapi = !py.error && py.status === 0;
  const missing: Array<{ apt: string; why: string }> = [];
  if (!wrk) missing.push({ apt: 'wrk', why: 'microsecond latencies (without it: autocannon, timed per response in µs)' });
  if (!nginx) missing.push({ apt: 'nginx', why: 'the plain-proxy comparison' });
  if (!fastapi) missing.push({ apt: 'python3-fastapi python3-uvicorn python3-sqlmodel', why: 'the FastAPI upstream' });
  if (!taskset) missing.push({ apt: 'util-linux', why: 'pinning processes to cores' });
  return { wrk, nginx, taskset, fastapi, missing };
}

export function aptLine(tools: Tools): string | undefined {
  if (tools.missing.length === 0) return undefined;
  return `sudo apt-get update && sudo apt-get install -y ${tools.missing.map((m) => m.apt).join(' ')}`;
}

export function toolVersions(tools: Tools): Record<string, string> {
  const versions: Record<string, string> = { node: process.version };
  if (tools.wrk) versions.wrk = firstLine(tools.wrk, ['-v'])?.split(' [')[0] ?? 'unknown';
  if (tools.nginx) versions.nginx = firstLine(tools.nginx, ['-v'])?.replace('nginx version: ', '') ?? 'unknown';
  if (tools.fastapi) {
    versions.fastapi = firstLine(SYSTEM_PYTHON, ['-c', 'import fastapi, uvicorn, sqlmodel; print("fastapi", fastapi.__version__, "uvicorn", uvicorn.__version__, "sqlmodel", sqlmodel.__version__)']) ?? 'unknown';
  }
  return versions;
}
