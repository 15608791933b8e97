// Revocation end to end, in a real browser: the production web build with GATEWAY_ADMIN_URL and
// GATEWAY_ADMIN_TOKEN, the real gateway (its bin, admin.token set), the task service. A token
// copied out of the browser works; the moment the user deletes the account in the UI (or signs
// out), the same token gets 401 token_revoked from the gateway, with no waiting.
//
// Needs a gateway with revocation (admin.token, POST /revocations). Against one without it the
// suite is skipped with the gateway's own refusal printed; WEB_E2E_REVOCATION=1 makes that a
// failure instead (for CI once the gateway has it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, launchChromium, screenshot, signUpInBrowser } from './support/browser.js';
import { TEST_PASSWORD } from './support/credentials.js';
import { freePort } from './support/free-port.js';
import { revocationUnsupportedReason, startGateway, type RunningGateway } from './support/gateway.js';
import { startUpstream, type RunningUpstream } from './support/upstream.js';
import { ensureWebBuild, startWeb, type RunningWeb } from './support/web-app.js';

const unsupported = revocationUnsupportedReason();
if (unsupported && process.env.WEB_E2E_REVOCATION !== '1') {
  console.warn(`skipping the revocation end-to-end test: this gateway has no revocation yet:\n${unsupported}`);
}
const runIt = !unsupported || process.env.WEB_E2E_REVOCATION === '1';

let upstream: RunningUpstream;
let gateway: RunningGateway;
let web: RunningWeb;
let browser: Browser;
let tmp: string;
let artifacts: string;

interface GatewayAnswer {
  status: number;
  body: Record<string, unknown>;
  wwwAuthenticate: string | null;
}

/** A task list call with a token copied out of the browser, as a script or a thief would send it. */
async function listWith(token: string, userId: string): Promise<GatewayAnswer> {
  const res = await fetch(`${gateway.url}/api/${userId}/tasks`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, wwwAuthenticate: res.headers.get('www-authenticate') };
}

/** The JWT for the page's session, from /api/auth/token with its cookie (what the app itself uses). */
async function copyToken(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const res = await fetch('/api/auth/token');
    if (!res.ok) throw new Error(`token: HTTP ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  });
}

function expectRevoked(answer: GatewayAnswer): void {
  expect(answer.status).toBe(401);
  expect(answer.body).toMatchObject({ error: 'unauthorized', reason: 'token_revoked' });
  expect(answer.wwwAuthenticate).toMatch(/^Bearer realm="[^"]*", error="invalid_token"/);
}

describe.runIf(runIt)('revocation in a real browser, through the gateway', () => {
  const stamp = Date.now();
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    artifacts = artifactsDir('web-e2e-revocation');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web-e2e-revocation-'));
    await ensureWebBuild();

    const secret = randomBytes(32).toString('base64url');
    const adminToken = randomBytes(32).toString('base64url');
    const webPort = await freePort();
    const webOrigin = `http://127.0.0.1:${webPort}`;
    upstream = await startUpstream();
    gateway = await startGateway({ upstreamUrl: upstream.url, webOrigin, secret, adminToken, waitReady: false });
    web = await startWeb({
      port: webPort,
      secret,
      dbFile: path.join(tmp, 'web.sqlite'),
      gatewayUrl: gateway.url,
      gatewayAdminUrl: gateway.adminUrl,
      gatewayAdminToken: adminToken,
    });
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

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await context?.close();
  });

  it("deleting the account in the UI revokes alice's copied token at once", async () => {
    const email = `alice-${stamp}@example.com`;
    const aliceId = await signUpInBrowser(page, web.origin, 'Alice', email);
    const copied = await copyToken(page);
    expect((await listWith(copied, aliceId)).status).toBe(200); // works (and is now in the gateway's verified-token cache)

    // The confirm step: Cancel leaves everything as it was; a wrong password is refused.
    await page.getByRole('button', { name: 'Delete my account' }).click();
    const confirm = page.getByRole('form', { name: 'Delete account' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await confirm.getByLabel('Your password, to confirm').fill('not my password');
    await confirm.getByRole('button', { name: 'Delete permanently' }).click();
    await confirm.getByRole('alert').waitFor();
    expect((await listWith(copied, aliceId)).status).toBe(200); // nothing happened
    await screenshot(page, artifacts, '01-delete-confirm-wrong-password');

    await confirm.getByLabel('Your password, to confirm').fill(TEST_PASSWORD);
    await confirm.getByRole('button', { name: 'Delete permanently' }).click();
    await page.waitForURL(`${web.origin}/sign-in?deleted=1`);
    await page.getByText('Your account has been deleted.').waitFor();
    await screenshot(page, artifacts, '02-account-deleted');

    expectRevoked(await listWith(copied, aliceId)); // at once: no waiting, no retry

    // And the account is gone: signing in again is refused.
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[role="alert"]').filter({ hasText: /invalid/i }).waitFor();
  });

  it("signing out revokes that session's token; a new sign-in gets a working one", async () => {
    const email = `bob-${stamp}@example.com`;
    const bobId = await signUpInBrowser(page, web.origin, 'Bob', email);
    const copied = await copyToken(page);
    expect((await listWith(copied, bobId)).status).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${web.origin}/sign-in`);
    expectRevoked(await listWith(copied, bobId));

    // Only that session's tokens: signing in again gives a token the gateway accepts.
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${web.origin}/`);
    expect((await listWith(await copyToken(page), bobId)).status).toBe(200);
    expectRevoked(await listWith(copied, bobId)); // the old one stays revoked
  });
});
