// The whole stack in a real browser (Debian's chromium through playwright-core; never a
// downloaded browser): the production web build, the real gateway (its bin), the task service.
// Two users in separate browser contexts each manage their own tasks; a request forged in the
// page for the other user's id is refused by the gateway; a refused token is refreshed once; an
// ended session sends the user to sign in; after sign-out a task call is refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, launchChromium, screenshot, signUpInBrowser } from './support/browser.js';
import { freePort } from './support/free-port.js';
import { startGateway, type RunningGateway } from './support/gateway.js';
import { startUpstream, type RunningUpstream } from './support/upstream.js';
import { ensureWebBuild, startWeb, type RunningWeb } from './support/web-app.js';

interface GatewayAnswer {
  method: string;
  path: string;
  status: number;
  authorization: string | undefined;
}

let upstream: RunningUpstream;
let gateway: RunningGateway;
let web: RunningWeb;
let browser: Browser;
let tmp: string;
let artifacts: string;

const shot = (page: Page, name: string) => screenshot(page, artifacts, name);

/** Every answer the gateway gives this page (CORS preflights aside), with the header sent. */
function recordGatewayAnswers(page: Page): GatewayAnswer[] {
  const answers: GatewayAnswer[] = [];
  page.on('response', async (response) => {
    const request = response.request();
    if (!response.url().startsWith(gateway.url) || request.method() === 'OPTIONS') return;
    const headers = await request.allHeaders();
    answers.push({
      method: request.method(),
      path: new URL(response.url()).pathname,
      status: response.status(),
      authorization: headers.authorization,
    });
  });
  return answers;
}

function isGatewayCall(method: string) {
  return (r: { url(): string; request(): Request }) => r.url().startsWith(gateway.url) && r.request().method() === method;
}

function taskItem(page: Page, title: string) {
  return page.getByTestId('task').filter({ hasText: title });
}

async function titles(page: Page): Promise<string[]> {
  return page.locator('[data-testid="task"] .task-title').allTextContents();
}

const signUp = (page: Page, name: string, email: string) => signUpInBrowser(page, web.origin, name, email);

async function addTask(page: Page, title: string, description = ''): Promise<void> {
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Description').fill(description);
  const answer = page.waitForResponse(isGatewayCall('POST'));
  await form.getByRole('button', { name: 'Add task' }).click();
  expect((await answer).status()).toBe(201);
  await taskItem(page, title).waitFor();
}

async function editTask(page: Page, title: string, newTitle: string, newDescription: string): Promise<void> {
  await taskItem(page, title).getByRole('button', { name: `Edit "${title}"` }).click();
  const form = page.getByRole('form', { name: `Edit ${title}` });
  await form.getByLabel('Title').fill(newTitle);
  await form.getByLabel('Description').fill(newDescription);
  const answer = page.waitForResponse(isGatewayCall('PUT'));
  await form.getByRole('button', { name: 'Save' }).click();
  expect((await answer).status()).toBe(200);
  await taskItem(page, newTitle).getByText(newDescription).waitFor();
}

async function toggleTask(page: Page, title: string, done: boolean): Promise<void> {
  const answer = page.waitForResponse(isGatewayCall('PATCH'));
  await taskItem(page, title).getByRole('checkbox').click();
  expect((await answer).status()).toBe(200);
  await expect.poll(() => taskItem(page, title).getByRole('checkbox').isChecked()).toBe(done);
}

async function deleteTask(page: Page, title: string): Promise<void> {
  const answer = page.waitForResponse(isGatewayCall('DELETE'));
  await taskItem(page, title).getByRole('button', { name: `Delete "${title}"` }).click();
  expect((await answer).status()).toBe(204);
  await taskItem(page, title).waitFor({ state: 'detached' });
}

/** Same token with its signature altered: what an expired or forged token looks like to the gateway. */
function spoil(authorization: string): string {
  const [h, p, s] = authorization.replace(/^Bearer /, '').split('.') as [string, string, string];
  return `Bearer ${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
}

/** Makes the gateway refuse this page's next `count` API calls by spoiling their token in flight. */
async function spoilNextTokens(page: Page, count: number): Promise<() => number> {
  let spoiled = 0;
  await page.route(`${gateway.url}/**`, async (route) => {
    const request = route.request();
    const headers = await request.allHeaders();
    if (request.method() === 'OPTIONS' || spoiled >= count || !headers.authorization) return route.continue();
    spoiled += 1;
    return route.continue({ headers: { ...headers, authorization: spoil(headers.authorization) } });
  });
  return () => spoiled;
}

beforeAll(async () => {
  artifacts = artifactsDir('web-e2e'); // only this run's screenshots
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web-e2e-'));
  await ensureWebBuild(); // the first run builds (about a minute on 2 cores); later runs reuse it

  const secret = randomBytes(32).toString('base64url');
  const webPort = await freePort();
  const webOrigin = `http://127.0.0.1:${webPort}`;
  upstream = await startUpstream();
  // The gateway first (port 0: it reports its address), so the web app can be told where it is;
  // it becomes ready once the web app serves its JWKS.
  gateway = await startGateway({ upstreamUrl: upstream.url, webOrigin, secret, waitReady: false });
  web = await startWeb({ port: webPort, secret, dbFile: path.join(tmp, 'web.sqlite'), gatewayUrl: gateway.url });
  await gateway.ready(30_000);

  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await gateway?.stop();
  await upstream?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('two users in a real browser, through the gateway', () => {
  let alice: { context: BrowserContext; page: Page; id: string; answers: GatewayAnswer[] };
  let bob: { context: BrowserContext; page: Page; id: string; answers: GatewayAnswer[] };
  const stamp = Date.now();

  async function openUser(name: string) {
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const answers = recordGatewayAnswers(page);
    return { context, page, answers, id: '' };
  }

  beforeAll(async () => {
    alice = await openUser('alice');
    bob = await openUser('bob');
  });

  afterAll(async () => {
    await alice?.context.close();
    await bob?.context.close();
  });

  it('each user signs up and creates, edits, toggles and deletes their own tasks', async () => {
    const landing = await alice.page.goto(`${web.origin}/`);
    await alice.page.waitForURL(`${web.origin}/sign-in`);
    expect(landing?.headers()['x-frame-options']).toBe('DENY'); // not embeddable (clickjacking)
    await shot(alice.page, '01-sign-in');

    alice.id = await signUp(alice.page, 'Alice', `alice-${stamp}@example.com`);
    await shot(alice.page, '02-empty-task-list');
    bob.id = await signUp(bob.page, 'Bob', `bob-${stamp}@example.com`);
    expect(alice.id).not.toBe(bob.id);

    for (const [user, who] of [[alice, 'Alice'], [bob, 'Bob']] as const) {
      await addTask(user.page, `${who}: buy milk`, 'two litres');
      await addTask(user.page, `${who}: write report`);
      await addTask(user.page, `${who}: call the plumber`);
      await editTask(user.page, `${who}: buy milk`, `${who}: buy oat milk`, 'from the corner shop');
      await toggleTask(user.page, `${who}: write report`, true);
      await deleteTask(user.page, `${who}: call the plumber`);
      expect(await titles(user.page)).toEqual([`${who}: write report`, `${who}: buy oat milk`]);
      expect(await user.page.getByTestId('task-count').textContent()).toBe('1 open · 1 done');
    }
    await shot(alice.page, '03-alice-tasks');
    await shot(bob.page, '04-bob-tasks');

    // What the gateway answered: every call carried a Bearer JWT and succeeded.
    for (const user of [alice, bob]) {
      expect(user.answers.map((a) => a.method)).toEqual(['GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE']);
      for (const answer of user.answers) {
        expect(answer.status).toBeLessThan(300);
        expect(answer.path.startsWith(`/api/${user.id}/tasks`)).toBe(true);
        expect(answer.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      }
    }
  });

  it('each user sees only their own tasks, also after a reload', async () => {
    for (const [user, who, other] of [[alice, 'Alice', 'Bob'], [bob, 'Bob', 'Alice']] as const) {
      await user.page.reload();
      await user.page.getByTestId('task').first().waitFor();
      const seen = await titles(user.page);
      expect(seen).toEqual([`${who}: write report`, `${who}: buy oat milk`]);
      expect(seen.some((t) => t.startsWith(other))).toBe(false);
    }
  });

  it("a request forged in the page for the other user's id is refused by the gateway (403 user_mismatch)", async () => {
    const bobTaskId = await taskItem(bob.page, 'Bob: write report').getAttribute('data-task-id');
    expect(bobTaskId).toMatch(/^\d+$/);
    const forged = await alice.page.evaluate(
      async ({ gatewayUrl, victim, taskId }) => {
        const { token } = (await (await fetch('/api/auth/token')).json()) as { token: string };
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        const attempts = [
          fetch(`${gatewayUrl}/api/${victim}/tasks`, { headers }),
          fetch(`${gatewayUrl}/api/${victim}/tasks`, { method: 'POST', headers, body: JSON.stringify({ title: 'planted' }) }),
          fetch(`${gatewayUrl}/api/${victim}/tasks/${taskId}`, { method: 'PUT', headers, body: JSON.stringify({ title: 'defaced' }) }),
          fetch(`${gatewayUrl}/api/${victim}/tasks/${taskId}`, { method: 'DELETE', headers }),
        ];
        return Promise.all(attempts.map(async (p) => {
          const res = await p;
          return { status: res.status, body: (await res.json()) as Record<string, unknown> };
        }));
      },
      { gatewayUrl: gateway.url, victim: bob.id, taskId: bobTaskId },
    );
    expect(forged).toHaveLength(4);
    for (const answer of forged) {
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ error: 'forbidden', reason: 'user_mismatch' });
    }
    // Bob's tasks are untouched.
    await bob.page.reload();
    await taskItem(bob.page, 'Bob: write report').waitFor();
    expect(await titles(bob.page)).toEqual(['Bob: write report', 'Bob: buy oat milk']);
  });

  it("shows the service's error message when a call fails (a task deleted in another tab)", async () => {
    const otherTab = await alice.context.newPage();
    await otherTab.goto(`${web.origin}/`);
    await addTask(otherTab, 'Alice: short-lived');
    await alice.page.reload();
    await taskItem(alice.page, 'Alice: short-lived').waitFor();
    await deleteTask(otherTab, 'Alice: short-lived');
    await otherTab.close();

    // This tab still lists it; toggling it now reaches the service, which no longer has it.
    const answer = alice.page.waitForResponse(isGatewayCall('PATCH'));
    await taskItem(alice.page, 'Alice: short-lived').getByRole('checkbox').click();
    expect((await answer).status()).toBe(404);
    const banner = alice.page.locator('main [role="alert"]');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Task not found');
    await taskItem(alice.page, 'Alice: short-lived').waitFor({ state: 'detached' }); // gone, so it leaves the list
    await shot(alice.page, '05-error-message');
    await banner.getByRole('button', { name: 'Dismiss error' }).click();
    await banner.waitFor({ state: 'detached' });
  });

  it('says so when the gateway cannot be reached, and loads on "Try again"', async () => {
    // The network fails for the list call only (as if the gateway were down).
    await alice.page.route(`${gateway.url}/**`, (route) =>
      route.request().method() === 'GET' ? route.abort('connectionrefused') : route.continue(),
    );
    await alice.page.reload();
    await alice.page.getByTestId('load-failed').waitFor();
    expect(await alice.page.locator('main [role="alert"]').textContent()).toContain('could not be reached');
    expect(await alice.page.getByTestId('empty-state').count()).toBe(0); // never shown as "no tasks"
    await shot(alice.page, '06-gateway-unreachable');
    await alice.page.unrouteAll();
    await alice.page.getByRole('button', { name: 'Try again' }).click();
    await taskItem(alice.page, 'Alice: write report').waitFor();
    expect(await alice.page.locator('main [role="alert"]').count()).toBe(0);
  });

  it('a token the gateway refuses is replaced once and the call retried, unseen by the user', async () => {
    const spoiled = await spoilNextTokens(alice.page, 1);
    const before = alice.answers.length;
    const form = alice.page.getByRole('form', { name: 'New task' });
    await form.getByLabel('Title').fill('Alice: survives a refused token');
    const created = alice.page.waitForResponse((r) => isGatewayCall('POST')(r) && r.status() === 201);
    await form.getByRole('button', { name: 'Add task' }).click();
    await created;
    await taskItem(alice.page, 'Alice: survives a refused token').waitFor();
    await alice.page.unrouteAll();
    expect(spoiled()).toBe(1);
    expect(alice.answers.slice(before).map((a) => [a.method, a.status])).toEqual([['POST', 401], ['POST', 201]]);
    expect(await alice.page.locator('main [role="alert"]').count()).toBe(0); // no error shown (Next's route announcer is outside main)
  });

  it('when the session has ended, a refused call sends the user to sign in with a notice', async () => {
    // Alice signs out in another tab; this tab still shows her board.
    const otherTab = await alice.context.newPage();
    await otherTab.goto(`${web.origin}/`);
    await otherTab.getByRole('button', { name: 'Sign out' }).click();
    await otherTab.waitForURL(`${web.origin}/sign-in`);
    await otherTab.close();

    const before = alice.answers.length;
    await spoilNextTokens(alice.page, 1); // the cached token is refused, as an expired one would be
    const form = alice.page.getByRole('form', { name: 'New task' });
    await form.getByLabel('Title').fill('Alice: never saved');
    await form.getByRole('button', { name: 'Add task' }).click();
    await alice.page.waitForURL(`${web.origin}/sign-in?expired=1`);
    await alice.page.getByText('Your session has expired. Please sign in again.').waitFor();
    await alice.page.unrouteAll();
    await shot(alice.page, '07-session-expired');
    // One refused attempt; no token could be had for a retry, so nothing else was sent.
    expect(alice.answers.slice(before).map((a) => [a.method, a.status])).toEqual([['POST', 401]]);
  });

  it('after sign-out, a task call is refused by the gateway (401) and the app asks to sign in', async () => {
    await bob.page.getByRole('button', { name: 'Sign out' }).click();
    await bob.page.waitForURL(`${web.origin}/sign-in`);
    const after = await bob.page.evaluate(
      async ({ gatewayUrl, me }) => {
        const tokenRes = await fetch('/api/auth/token');
        const token = tokenRes.ok ? ((await tokenRes.json()) as { token: string }).token : undefined;
        const res = await fetch(`${gatewayUrl}/api/${me}/tasks`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
        return { tokenStatus: tokenRes.status, status: res.status, body: (await res.json()) as Record<string, unknown> };
      },
      { gatewayUrl: gateway.url, me: bob.id },
    );
    expect(after.tokenStatus).toBe(401); // Better Auth issues no token without a session
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: 'unauthorized', reason: 'missing_token' });

    await bob.page.goto(`${web.origin}/`);
    await bob.page.waitForURL(`${web.origin}/sign-in`);
    await shot(bob.page, '08-signed-out');
  });
});
