// The web app as users get it: a production build (`next build`, done here if missing or older
// than the sources) served by `next start`.
import fs from 'node:fs';
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

export function ensureWebBuild(): void {
  const buildId = path.join(webDir, '.next/BUILD_ID');
  const sources = ['app', 'components', 'lib', 'public', 'next.config.ts', 'package.json'].map((s) => path.join(webDir, s));
  if (fs.existsSync(buildId) && Math.max(...sources.map(newestMtime)) <= fs.statSync(buildId).mtimeMs) return;
  const result = spawnSync(process.execPath, [nextBin, 'build'], {
    cwd: webDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface RunningWeb {
  origin: string;
  child: Child;
  stop(): Promise<void>;
}

export async function startWeb(o: { port: number; secret: string; dbFile: string; gatewayUrl: string }): Promise<RunningWeb> {
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
