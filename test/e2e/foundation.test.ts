// Browser tests of the foundation: log in, role home pages, browse and search master data, the
// language switch, and a page weight budget.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startE2E, type E2E } from './browser.ts';

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

test('log in as admin, browse and search organisations, open one', async () => {
  const ctx = await e.browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await loginAs(e, page, 'admin');
  assert.match((await page.textContent('main')) ?? '', /Selamat datang, Admin Diskominfo/);

  await page.click('nav a[href="/master-data"]');
  await page.click('a[href="/master-data/organisations"]');
  const rows = await page.locator('table.data tbody tr').count();
  assert.ok(rows >= 30, `at least 30 organisations listed, saw ${rows}`);

  await page.fill('input[name=q]', 'Kesehatan');
  await page.press('input[name=q]', 'Enter');
  await page.waitForLoadState('load');
  const text = (await page.textContent('table.data tbody')) ?? '';
  assert.match(text, /Dinas Kesehatan/);
  assert.doesNotMatch(text, /Dinas Perhubungan/);

  await page.click('table.data tbody tr:has-text("Dinas Kesehatan") a >> nth=0');
  assert.match((await page.textContent('main')) ?? '', /1\.02\.0\.00\.0\.00\.01\.0000/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('an OPD operator sees its home page; English can be switched on', async () => {
  const ctx = await e.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  await loginAs(e, page, 'dinkes.operator');
  assert.match((await page.textContent('header')) ?? '', /Operator OPD/);
  await page.click('a.lang');
  assert.match((await page.textContent('header')) ?? '', /OPD operator/);
  assert.match((await page.textContent('main')) ?? '', /Welcome/);
  await ctx.close();
});

test('pages stay light: HTML + CSS + JS of the organisations list under 150 KB', async () => {
  const ctx = await e.browser.newContext();
  const page = await ctx.newPage();
  await loginAs(e, page, 'admin');
  let bytes = 0;
  page.on('response', async (res) => {
    const body = await res.body().catch(() => Buffer.alloc(0));
    bytes += body.length;
  });
  await page.goto(`${e.base}/master-data/organisations`, { waitUntil: 'networkidle' });
  assert.ok(bytes > 0 && bytes < 150 * 1024, `transferred ${bytes} bytes`);
  await ctx.close();
});
