import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { repositoryRoot } from '../support/serve-process.js';

/** Debian's chromium (`.ci/run` installs it); playwright-core brings no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the tests leave a screenshot of each view, to be looked at (data/ is gitignored). */
export const SCREENSHOTS = `${repositoryRoot}data/console-screenshots/`;

/** A headless Chromium closed when the test ends. */
export async function launchBrowser(): Promise<Browser> {
  // --no-sandbox: CI and this machine run the tests as root, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  onTestFinished(() => browser.close());
  return browser;
}

/** A fresh browser profile (no cookies) at a given size; 1366×768 is the laptop the issue names. */
export async function newPage(browser: Browser, viewport = { width: 1366, height: 768 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const external: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('http://127.0.0.1:')) external.push(request.url());
  });
  onTestFinished(() => {
    if (external.length) throw new Error(`the console made requests elsewhere: ${external.join(', ')}`);
  });
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

/** Signs in through the console's own form, as a person would. */
export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/console`);
  await page.fill('#signin-email', email);
  await page.fill('#signin-password', password);
  await page.click('#signin-submit');
  await page.waitForSelector('#stream-status[data-state=live]');
}
