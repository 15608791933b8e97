// The web app as users get it: a production build (`next build`, done here if missing or older
// than the sources) served by `next start`.
import fs from 'node:fs';
import os from 'node:os';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startChild, type Child } from './child.js';
import { repoRoot, webDir } from './paths.js';
import { isOk, waitUntil } from './wait.js';

const nextBin = path.join(repoRoot, 'node_modules/next/dist/bin/next');

function newestMtime(target: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(target).reduce((newest, entry) => Math.max(newest, newestMtime(path.join(target, entry))), stat.mtimeMs);
}

function buildIsCurrent(): boolean {
  const buildId = path.join(webDir, '.next/BUILD_ID');
  const sources = ['app', 'components', 'lib', 'public', 'next.config.ts', 'package.json'].map((s) => path.join(webDir, s));
  return fs.existsSync(buildId) && Math.max(...sources.map(newestMtime)) <= fs.statSync(buildId).mtimeMs;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Test files run in parallel workers; only one may run `next build`. The lock is a directory
 * (mkdir is atomic) holding the builder's pid, so a crashed builder's lock is recognised.
 */
async function withBuildLock(work: () => void): Promise<void> {
  // Outside the repo (nothing to ignore or commit) and outside .next (next build empties it).
  const lock = path.join(os.tmpdir(), `next-build-${createHash('sha256').update(webDir).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (holder && !processIsAlive(holder)) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another next build still holds ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds the app unless a build newer than every source exists (checked again under the lock). */
export async function ensureWebBuild(): Promise<void> {
  if (buildIsCurrent()) return;
  await withBuildLock(() => {
    if (buildIsCurrent()) return; // another worker built it while we waited
    const result = spawnSync(process.execPath, [nextBin, 'build'], {
      cwd: webDir,
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
  });
}

export interface RunningWeb {
  origin: string;
  child: Child;
  stop(): Promise<void>;
}

export interface WebOptions {
  port: number;
  secret: string;
  dbFile: string;
  gatewayUrl: string;
  /** The gateway's admin API and token, to revoke tokens on sign-out and account deletion. */
  gatewayAdminUrl?: string;
  gatewayAdminToken?: string;
}

export async function startWeb(o: WebOptions): Promise<RunningWeb> {
  const origin = `http://127.0.0.1:${o.port}`;
  const child = startChild('web', process.execPath, [nextBin, 'start', '--port', String(o.port), '--hostname', '127.0.0.1'], {
    cwd: webDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      BETTER_AUTH_URL: origin,
      BETTER_AUTH_SECRET: o.secret,
      WEB_DB: o.dbFile,
      GATEWAY_URL: o.gatewayUrl,
      GATEWAY_ADMIN_URL: o.gatewayAdminUrl ?? '',
      GATEWAY_ADMIN_TOKEN: o.gatewayAdminToken ?? '', // empty: revocation off, whatever the caller's environment says
    },
  });
  try {
    await child.waitFor((line) => (line.includes('Ready in') ? true : undefined), 60_000);
    await waitUntil('the web app to be healthy', () => isOk(`${origin}/api/health`), 30_000);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { origin, child, stop: () => child.stop() };
}
