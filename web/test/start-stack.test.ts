// `npm start` (scripts/start-stack.mjs) as a newcomer runs it: everything comes up, the URLs are
// printed, a signed-up user's token works through the gateway, Ctrl-C stops everything cleanly,
// and a crashed child takes the stack down with a non-zero exit.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild, type Child } from './support/child.js';
import { freePort } from './support/free-port.js';
import { revocationUnsupportedReason } from './support/gateway.js';
import { repoRoot } from './support/paths.js';
import { ensureWebBuild } from './support/web-app.js';

interface Ports {
  web: number;
  gateway: number;
  admin: number;
  upstream: number;
}

let tmp: string;

beforeAll(async () => {
  await ensureWebBuild(); // so the script finds a current build, as after a first `npm start`
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'start-stack-'));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function startStack(): Promise<{ stack: Child; ports: Ports; exited: Promise<number | null> }> {
  const ports = { web: await freePort(), gateway: await freePort(), admin: await freePort(), upstream: await freePort() };
  const stack = startChild('npm start', process.execPath, [path.join(repoRoot, 'scripts/start-stack.mjs')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NO_COLOR: '1',
      WEB_PORT: String(ports.web),
      GATEWAY_PORT: String(ports.gateway),
      GATEWAY_ADMIN_PORT: String(ports.admin),
      UPSTREAM_PORT: String(ports.upstream),
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'), // keeps the test away from data/secret
      WEB_DB: path.join(tmp, `web-${ports.web}.sqlite`),
      TODO_DB: path.join(tmp, `todo-${ports.upstream}.sqlite`),
    },
  });
  const exited = new Promise<number | null>((resolve) => stack.process.once('exit', (code) => resolve(code)));
  await stack.waitFor((line) => (line.includes('The stack is up') ? true : undefined), 90_000);
  return { stack, ports, exited };
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('npm start', () => {
  it('brings up web, gateway and task service, prints the URLs, and stops cleanly on Ctrl-C', async () => {
    const { stack, ports, exited } = await startStack();
    try {
      const webOrigin = `http://localhost:${ports.web}`;
      const banner = stack.output();
      expect(banner).toContain(`web app       ${webOrigin}`);
      expect(banner).toContain(`gateway       http://localhost:${ports.gateway}`);
      expect(banner).toContain(`http://127.0.0.1:${ports.admin}`);
      expect(banner).toContain('secret: BETTER_AUTH_SECRET from the environment');
      expect(banner).toContain('admin token (revocations): generated for this start');

      // A newcomer's path, over HTTP: sign up, get a JWT, use it through the gateway.
      const signUp = await fetch(`http://127.0.0.1:${ports.web}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { origin: webOrigin, 'content-type': 'application/json' },
        body: JSON.stringify({ email: `newcomer-${Date.now()}@example.com`, password: 'correct horse battery', name: 'New' }),
      });
      expect(signUp.status).toBe(200);
      const userId = ((await signUp.json()) as { user: { id: string } }).user.id;
      const cookie = signUp.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const tokenRes = await fetch(`http://127.0.0.1:${ports.web}/api/auth/token`, { headers: { cookie } });
      const { token } = (await tokenRes.json()) as { token: string };
      // The JWT names the web app's public origin, which the gateway's config expects.
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string; aud: string };
      expect(claims).toMatchObject({ iss: webOrigin, aud: webOrigin });

      const created = await fetch(`http://127.0.0.1:${ports.gateway}/api/${userId}/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'first task' }),
      });
      expect(created.status).toBe(201);
      const anonymous = await fetch(`http://127.0.0.1:${ports.gateway}/api/${userId}/tasks`);
      expect(anonymous.status).toBe(401);

      // Sign-out: the web app posts the session's revocation to the gateway's admin port with the
      // admin token the script gave both. With a gateway that has revocation, the old token is
      // refused at once; with one that has not, sign-out still works and the failure is logged.
      const signOut = await fetch(`http://127.0.0.1:${ports.web}/api/auth/sign-out`, {
        method: 'POST',
        headers: { origin: webOrigin, cookie, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(signOut.status).toBe(200);
      const afterSignOut = await fetch(`http://127.0.0.1:${ports.gateway}/api/${userId}/tasks`, { headers: { authorization: `Bearer ${token}` } });
      if (revocationUnsupportedReason() === null) {
        expect(afterSignOut.status).toBe(401);
        expect(await afterSignOut.json()).toMatchObject({ reason: 'token_revoked' });
      } else {
        expect(afterSignOut.status).toBe(200);
        expect(stack.output()).toMatch(/could not revoke the tokens of ended session .*no revocation endpoint/);
      }
    } finally {
      stack.process.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    for (const port of Object.values(ports)) expect(await portIsClosed(port)).toBe(true);
  });

  it('stops everything and exits non-zero when one of the services dies', async () => {
    const { stack, ports, exited } = await startStack();
    // upstream-todo logs its pid in every JSON line
    const todoPid = await stack.waitFor((line) => {
      const match = /^\[todo\]\s+(\{.*\})$/.exec(line);
      return match ? ((JSON.parse(match[1]!) as { pid?: number }).pid ?? undefined) : undefined;
    }, 5_000);
    process.kill(todoPid, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(stack.output()).toContain('todo stopped unexpectedly');
    for (const port of Object.values(ports)) expect(await portIsClosed(port)).toBe(true);
  });
});
