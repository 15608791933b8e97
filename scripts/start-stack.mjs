#!/usr/bin/env node
// `npm start`: the whole stack on this machine, on embedded SQLite.
//
//   upstream-todo  http://127.0.0.1:8000   the task service (knows nothing of tokens)
//   web            http://localhost:3000   Next.js + Better Auth (sign-up, sign-in, the task page)
//   gateway        http://localhost:8080   verifies the JWT, binds /api/{user_id} to its subject
//                  http://127.0.0.1:9090   admin: /healthz /readyz /metrics, POST /revocations
//
// Revocation: the web app tells the gateway (POST /revocations on the admin port) to refuse the
// tokens of a session that signed out or an account that was deleted. Both get the same
// GATEWAY_ADMIN_TOKEN (a fresh random one per start unless set; nothing else uses it, so it
// need not survive a restart), and the web app gets GATEWAY_ADMIN_URL = the admin address.
//
// The web app runs as a production build (`next start`), built once on first start and again
// whenever its sources are newer than the build: after ~40 s the first time, every later start
// takes a second or two, and pages never stall on on-demand compilation. WEB_MODE=dev uses
// `next dev` instead (hot reload while you edit web/).
//
// Environment (all optional): WEB_PORT, GATEWAY_PORT, GATEWAY_ADMIN_PORT, UPSTREAM_PORT,
// BETTER_AUTH_URL, BETTER_AUTH_SECRET, GATEWAY_ADMIN_TOKEN, GATEWAY_CONFIG, WEB_DB, TODO_DB,
// WEB_MODE, LOG_LEVEL.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'web');
const dataDir = path.join(root, 'data');
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);

function fail(message) {
  console.error(`\n${paint('31', 'npm start:')} ${message}\n`);
  process.exit(1);
}

function port(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) fail(`${name} must be a port number (1-65535), got "${raw}"`);
  return value;
}

const ports = {
  web: port('WEB_PORT', 3000),
  gateway: port('GATEWAY_PORT', 8080),
  admin: port('GATEWAY_ADMIN_PORT', 9090),
  upstream: port('UPSTREAM_PORT', 8000),
};
const webOrigin = new URL(process.env.BETTER_AUTH_URL || `http://localhost:${ports.web}`).origin;
const gatewayUrl = `http://localhost:${ports.gateway}`;
const gatewayConfig = path.resolve(root, process.env.GATEWAY_CONFIG || 'config/gateway.yaml');
const webMode = process.env.WEB_MODE === 'dev' ? 'dev' : 'start';
const webDb = path.resolve(root, process.env.WEB_DB || path.join(dataDir, 'web.sqlite'));
const todoDb = process.env.TODO_DB === ':memory:' ? ':memory:' : path.resolve(root, process.env.TODO_DB || path.join(dataDir, 'todo.sqlite'));
const shown = (file) => (file === ':memory:' ? file : path.relative(root, file).startsWith('..') ? file : path.relative(root, file));

// ---------------------------------------------------------------- preparation

/** Better Auth encrypts its signing keys with the secret, so it must survive restarts. */
function loadOrCreateSecret() {
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
function adminToken() {
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

function webBuildIsCurrent() {
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

function ensureBuilds() {
  if (!fs.existsSync(nextBin)) fail('dependencies are missing: run `npm ci` first');
  const tsOutputs = ['gateway/dist/process/cli.js', 'upstream-todo/dist/main.js'];
  if (tsOutputs.some((f) => !fs.existsSync(path.join(root, f)))) {
    run('building gateway and upstream-todo (tsc -b)', process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: root });
  }
  if (webMode === 'start' && !webBuildIsCurrent()) {
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

async function checkPorts() {
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

// ---------------------------------------------------------------- children

const children = [];
let stopping = false;

function startChild(name, color, args, options) {
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

async function shutdown(exitCode) {
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

async function waitHealthy(name, url, timeoutMs) {
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

// ---------------------------------------------------------------- main

async function main() {
  const { secret, source } = loadOrCreateSecret();
  const admin = adminToken();
  ensureBuilds();
  await checkPorts();
  if (!fs.existsSync(gatewayConfig)) fail(`gateway config not found: ${gatewayConfig}`);
  if (ports.web !== 3000 && !process.env.GATEWAY_CONFIG) {
    console.warn(paint('33', `note: config/gateway.yaml allows CORS from :3000 only; with WEB_PORT=${ports.web} add your origin there (or set GATEWAY_CONFIG).`));
  }

  const baseEnv = { ...process.env, BETTER_AUTH_SECRET: secret, BETTER_AUTH_URL: webOrigin, NEXT_TELEMETRY_DISABLED: '1' };
  delete baseEnv.GATEWAY_ADMIN_TOKEN; // given only to the two processes that use it

  startChild('todo', '35', [path.join(root, 'upstream-todo', 'dist', 'main.js')], {
    cwd: root,
    env: { ...baseEnv, HOST: '127.0.0.1', PORT: String(ports.upstream), TODO_DB: todoDb },
  });
  await waitHealthy('upstream-todo', `http://127.0.0.1:${ports.upstream}/health`, 20_000);

  startChild('web', '32', [nextBin, webMode, '--port', String(ports.web), '--hostname', '127.0.0.1'], {
    cwd: webDir,
    env: {
      ...baseEnv,
      NODE_ENV: webMode === 'dev' ? 'development' : 'production',
      GATEWAY_URL: gatewayUrl,
      WEB_DB: webDb,
      GATEWAY_ADMIN_URL: `http://127.0.0.1:${ports.admin}`,
      GATEWAY_ADMIN_TOKEN: admin.token,
    },
  });
  // /api/health answers once Better Auth's tables exist, so the JWKS is servable.
  await waitHealthy('web', `http://127.0.0.1:${ports.web}/api/health`, webMode === 'dev' ? 120_000 : 60_000);

  startChild('gateway', '34', [path.join(root, 'gateway', 'bin', 'gateway.js'), '--config', gatewayConfig], {
    cwd: root,
    env: {
      ...baseEnv,
      GATEWAY_PORT: String(ports.gateway),
      GATEWAY_ADMIN_PORT: String(ports.admin),
      UPSTREAM_URL: `http://127.0.0.1:${ports.upstream}`,
      BETTER_AUTH_JWKS_URL: `http://127.0.0.1:${ports.web}/api/auth/jwks`,
      GATEWAY_ADMIN_TOKEN: admin.token,
    },
  });
  // Ready = config loaded, Better Auth's keys fetched, the task service reachable.
  await waitHealthy('gateway', `http://127.0.0.1:${ports.admin}/readyz`, 30_000);
  if (stopping) return;

  const line = '─'.repeat(64);
  console.log(`
${line}
  ${paint('1', 'The stack is up.')} Open the web app, sign up, and manage your tasks:

    web app       ${paint('1;32', webOrigin)}
    gateway       ${gatewayUrl}  (API: /api/{user_id}/tasks, Bearer JWT)
    gateway admin http://127.0.0.1:${ports.admin}  (/healthz /readyz /metrics, /revocations)
    task service  http://127.0.0.1:${ports.upstream}  (behind the gateway; no auth of its own)

  secret: ${source}
  admin token (revocations): ${admin.source}
  data:   ${shown(webDb)} (accounts, keys), ${shown(todoDb)} (tasks)
  Ctrl-C stops everything.
${line}
`);
}

main().catch(async (err) => {
  console.error(err);
  await shutdown(1);
});
