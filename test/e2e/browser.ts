// Browser-test support: the app on a random local port (PGlite clone of the demo template) and
// Debian's headless chromium driven by playwright-core.
import { chromium, type Browser, type Page } from 'playwright-core';
import { testApp, type TestContext } from '../../src/testing/harness.ts';
import { DEMO_PASSWORD } from '../../src/core/seed.ts';

export interface E2E {
  t: TestContext;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startE2E(): Promise<E2E> {
  const t = await testApp();
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return {
    t,
    base: `http://127.0.0.1:${port}`,
    browser,
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}

export async function loginAs(e: E2E, page: Page, username: string): Promise<void> {
  await page.goto(`${e.base}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${e.base}/`), page.click('button[type=submit]')]);
}
