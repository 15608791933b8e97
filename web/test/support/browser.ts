// The browser side of the end-to-end tests: Debian's chromium through playwright-core (never a
// downloaded browser), screenshots, and the sign-up a newcomer does.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { repoRoot } from './paths.js';
import { TEST_PASSWORD } from './credentials.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** test-artifacts/<name>/, emptied so it holds only this run's screenshots. */
export function artifactsDir(name: string): string {
  const dir = path.join(repoRoot, 'test-artifacts', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${path.relative(repoRoot, file)}`);
}

/** Signs up through the UI, from the landing page; returns the new user's id. */
export async function signUpInBrowser(page: Page, origin: string, name: string, email: string): Promise<string> {
  await page.goto(`${origin}/`);
  await page.waitForURL(`${origin}/sign-in`); // signed-out visitors land on sign-in
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.waitForURL(`${origin}/sign-up`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(`${origin}/`);
  await page.getByTestId('empty-state').waitFor();
  expect(await page.getByTestId('signed-in-as').textContent()).toContain(email);
  return page.evaluate(async () => {
    const res = await fetch('/api/auth/get-session');
    return ((await res.json()) as { user: { id: string } }).user.id;
  });
}
