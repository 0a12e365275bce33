// Browser test of e-Budgeting: an OPD operator enters a catalogue-priced line with the picker and
// sees the remaining ceiling change as they type, saves it, and sees it on the sub kegiatan page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startE2E, type E2E } from './browser.ts';

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

const rupiah = (s: string | null) => BigInt((s ?? '').replace(/[^\d-]/g, '') || '0');

/** Poll an element's amount until it equals `expected` (htmx swaps it after a short delay). */
async function waitAmount(
  page: import('playwright-core').Page,
  selector: string,
  expected: bigint,
  timeout = 5000,
): Promise<void> {
  const until = Date.now() + timeout;
  let last = '';
  while (Date.now() < until) {
    last =
      (await page
        .locator(selector)
        .textContent()
        .catch(() => null)) ?? '';
    if (last && rupiah(last) === expected) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`${selector} shows ${last}, expected ${expected}`);
}

test('enter a catalogue-priced line and see the remaining ceiling change', async () => {
  const ctx = await e.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await loginAs(e, page, 'dinkes.operator');

  // the budget menu leads to the OPD's RKA; open a draft sub kegiatan
  await page.click('nav a[href="/budget"]');
  await page.waitForURL(/\/budget\/opd\/\d+/);
  const draft = page.locator('table.data tbody tr', { hasText: 'Draf' }).first();
  await draft.locator('a').first().click();
  await page.waitForURL(/\/budget\/sub\/\d+/);
  const remainingBefore = rupiah(await page.textContent('#sub-remaining'));

  await page.click('a:has-text("Tambah baris")');
  await page.waitForSelector('#line-form');
  await page.selectOption('select[name=account]', '5.1.02.01.01.0024');
  // the picker searches as you type
  await page.fill('input[name=q]', 'kertas');
  await page.waitForSelector('#picker-results button.pick[data-name*="Kertas"]');
  const pick = page.locator('#picker-results button.pick[data-name*="Kertas"]').first();
  const price = BigInt((await pick.getAttribute('data-price')) ?? '0');
  assert.ok(price > 0n);
  await pick.click();
  assert.ok(((await page.textContent('#chosen-item')) ?? '').length > 3, 'the chosen item is shown');

  // type the coefficient: the total and the remaining ceiling update without saving
  await page.fill('input[name=v1]', '10');
  await page.fill('input[name=u1]', 'Rim');
  await waitAmount(page, '#preview-total', price * 10n);
  const before = rupiah(await page.textContent('#preview-remaining-before'));
  assert.equal(before, remainingBefore);
  assert.equal(rupiah(await page.textContent('#preview-remaining')), remainingBefore - price * 10n);

  await page.fill('input[name=v1]', '12');
  await waitAmount(page, '#preview-remaining', remainingBefore - price * 12n);

  // save: back on the sub kegiatan page with the new remaining ceiling
  await Promise.all([page.waitForURL(/\/budget\/sub\/\d+\?saved=1/), page.click('#save-line')]);
  assert.equal(rupiah(await page.textContent('#sub-remaining')), remainingBefore - price * 12n);
  assert.match((await page.textContent('main')) ?? '', /Tersimpan/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('typing 1.000 as a volume means a thousand: shown as typed, computed and saved as 1.000', async () => {
  const ctx = await e.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await loginAs(e, page, 'dinkes.operator');
  await page.click('nav a[href="/budget"]');
  await page.waitForURL(/\/budget\/opd\/\d+/);
  await page.locator('table.data tbody tr', { hasText: 'Draf' }).first().locator('a').first().click();
  await page.waitForURL(/\/budget\/sub\/\d+/);
  const subUrl = page.url();
  await page.click('a:has-text("Tambah baris")');
  await page.waitForSelector('#line-form');
  await page.selectOption('select[name=account]', '5.1.02.01.01.0024');
  await page.fill('input[name=q]', 'kertas');
  await page.waitForSelector('#picker-results button.pick[data-name*="Kertas"]');
  await page.locator('#picker-results button.pick[data-name*="Kertas"]').first().click();

  // an ambiguous number is refused as the user types, and the preview says why it cannot compute
  await page.fill('input[name=u1]', 'Rim');
  await page.fill('input[name=v1]', '1.5');
  await page.waitForSelector('input[name=v1] + output.num-echo.bad');
  assert.match((await page.textContent('input[name=v1] + output.num-echo')) ?? '', /tidak jelas/);
  await page.waitForSelector('#preview-why');

  // 1.000 is a thousand: the echo says so, the preview computes price × 1000
  await page.fill('input[name=unit_price]', 'Rp 1.000');
  await page.fill('input[name=v1]', '1.000');
  await page.waitForFunction(
    "document.querySelector('input[name=v1] + output.num-echo')?.textContent === '= 1.000 Rim'",
  );
  assert.equal(await page.textContent('input[name=unit_price] + output.num-echo'), '= Rp 1.000');
  await waitAmount(page, '#preview-total', 1_000_000n);

  await Promise.all([page.waitForURL(/\/budget\/sub\/\d+\?saved=1/), page.click('#save-line')]);
  const row = page.locator('table.lines tbody tr', { hasText: '1.000 Rim' }).first();
  assert.ok(await row.count(), 'the sub kegiatan page shows the coefficient 1.000 Rim');
  assert.match((await row.textContent()) ?? '', /Rp 1\.000\.000/);
  // the edit form shows 1.000 again (not 1000 or 1)
  await row.locator('a').last().click();
  await page.waitForSelector('#line-form');
  assert.equal(await page.inputValue('input[name=v1]'), '1.000');
  assert.ok(page.url().startsWith(e.base));
  assert.ok(subUrl.includes('/budget/sub/'));
  assert.deepEqual(errors, []);
  await ctx.close();
});
