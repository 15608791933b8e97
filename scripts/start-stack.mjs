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
// Here: the settings and the order of the start; scripts/stack/ holds the rest: prepare.mjs (the
// secret, the admin token, the builds, the ports), children.mjs (the processes, their output,
// stopping them) and console.mjs (colour, and the one-line refusal).
//
// Environment (all optional): WEB_PORT, GATEWAY_PORT, GATEWAY_ADMIN_PORT, UPSTREAM_PORT,
// BETTER_AUTH_URL, BETTER_AUTH_SECRET, GATEWAY_ADMIN_TOKEN, GATEWAY_CONFIG, WEB_DB, TODO_DB,
// WEB_MODE, LOG_LEVEL.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStopping, shutdown, startChild, waitHealthy } from './stack/children.mjs';
import { fail, paint } from './stack/console.mjs';
import { adminToken, checkPorts, ensureBuilds, loadOrCreateSecret } from './stack/prepare.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'web');
const dataDir = path.join(root, 'data');
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');

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

async function main() {
  const { secret, source } = loadOrCreateSecret(dataDir);
  const admin = adminToken();
  ensureBuilds({ root, webDir, nextBin, webMode });
  await checkPorts(ports);
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
  if (isStopping()) return;

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
