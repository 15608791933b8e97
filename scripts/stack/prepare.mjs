// Before anything starts: the secrets, the builds, the ports. Each refusal names what to fix.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fail, paint } from './console.mjs';

/** Better Auth encrypts its signing keys with the secret, so it must survive restarts. */
export function loadOrCreateSecret(dataDir) {
  const fromEnv = process.env.BETTER_AUTH_SECRET;
  if (fromEnv) {
    if (Buffer.byteLength(fromEnv, 'utf8') < 32) fail('BETTER_AUTH_SECRET must be at least 32 bytes (openssl rand -base64 32)');
    return { secret: fromEnv, source: 'BETTER_AUTH_SECRET from the environment' };
  }
  const file = path.join(dataDir, 'secret');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    const secret = fs.readFileSync(file, 'utf8').trim();
    if (Buffer.byteLength(secret, 'utf8') >= 32) return { secret, source: 'data/secret' };
    fail(`${file} holds fewer than 32 bytes; delete it (and data/web.sqlite, whose keys it encrypts) to start fresh`);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }); // wx: never overwrite a secret
  return { secret, source: 'data/secret (generated now, kept for the next starts)' };
}

/**
 * The gateway's admin token (config: admin.token: ${GATEWAY_ADMIN_TOKEN}), which the web app uses
 * to post revocations. Only these two processes need it and revocations are kept by the gateway,
 * so a new one per start is enough and never lands on disk.
 */
export function adminToken() {
  const fromEnv = process.env.GATEWAY_ADMIN_TOKEN;
  if (fromEnv) {
    if (Buffer.byteLength(fromEnv, 'utf8') < 32) fail('GATEWAY_ADMIN_TOKEN must be at least 32 bytes (openssl rand -base64 32)');
    return { token: fromEnv, source: 'GATEWAY_ADMIN_TOKEN from the environment' };
  }
  return { token: randomBytes(32).toString('base64url'), source: 'generated for this start' };
}

function newestMtime(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function webBuildIsCurrent(root, webDir) {
  const buildId = path.join(webDir, '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return false;
  const built = fs.statSync(buildId).mtimeMs;
  const sources = ['app', 'components', 'lib', 'public', 'next.config.ts', 'tsconfig.json', 'package.json'];
  const newest = Math.max(...sources.map((s) => newestMtime(path.join(webDir, s))), newestMtime(path.join(root, 'package-lock.json')));
  return newest <= built;
}

function run(title, command, args, options) {
  console.log(paint('36', `» ${title}`));
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) fail(`${title} failed (exit ${result.status ?? result.signal})`);
}

/** tsc -b when a TypeScript output is missing; `next build` when the web build is older than its sources. */
export function ensureBuilds({ root, webDir, nextBin, webMode }) {
  if (!fs.existsSync(nextBin)) fail('dependencies are missing: run `npm ci` first');
  const tsOutputs = ['gateway/dist/process/cli.js', 'upstream-todo/dist/main.js'];
  if (tsOutputs.some((f) => !fs.existsSync(path.join(root, f)))) {
    run('building gateway and upstream-todo (tsc -b)', process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: root });
  }
  if (webMode === 'start' && !webBuildIsCurrent(root, webDir)) {
    run('building the web app once (next build, about a minute on a laptop)', process.execPath, [nextBin, 'build'], {
      cwd: webDir,
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    });
  }
}

function portIsFree(portNumber, host) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(portNumber, host, () => server.close(() => resolve(true)));
  });
}

/** Every port free, and no two wanting the same one; else a line naming the variable to change. */
export async function checkPorts(ports) {
  const wanted = [
    ['web', ports.web, 'WEB_PORT'],
    ['gateway', ports.gateway, 'GATEWAY_PORT'],
    ['gateway admin', ports.admin, 'GATEWAY_ADMIN_PORT'],
    ['upstream-todo', ports.upstream, 'UPSTREAM_PORT'],
  ];
  const seen = new Map();
  for (const [name, p, variable] of wanted) {
    if (seen.has(p)) fail(`${name} and ${seen.get(p)} both want port ${p}; change ${variable}`);
    seen.set(p, name);
    if (!(await portIsFree(p, '0.0.0.0'))) fail(`port ${p} (${name}) is already in use; stop what uses it or set ${variable}`);
  }
}
