// Journey (issue #11): the kecamatan forum decides a Musrenbang proposal (Bappeda decides at its own
// step of the Pokir chain, the same form). A refusal without a reason is a
// field error that keeps every choice made (Tolak stays Tolak); with the reason it is recorded and
// the page says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startE2E, type E2E } from './browser.ts';

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

test('the kecamatan forum rejects a proposal: a missing reason keeps the choice, then the decision is recorded', async () => {
  const ctx = await e.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await loginAs(e, page, 'kecamatan');
  await Promise.all([page.waitForURL(/\/musrenbang/), page.click('nav a[href="/musrenbang"]')]);
  // the first proposal in the list that waits for this forum's decision (the form shows only then)
  const links = await page
    .locator('a[href^="/perencanaan/usulan/"]')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  let url = '';
  for (const href of links) {
    await page.goto(`${e.base}${href}`);
    if (await page.locator('input[name=decision][value=reject]').count()) {
      url = href;
      break;
    }
  }
  assert.ok(url, 'a proposal waiting for a decision');
  await page.check('input[name=decision][value=reject]');
  await page.selectOption('select[name=urgency]', '2');
  await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Catat keputusan")')]);
  assert.match((await page.textContent('main')) ?? '', /Alasan wajib diisi/);
  assert.equal(await page.isChecked('input[name=decision][value=reject]'), true, 'Tolak stays chosen');
  assert.equal(await page.isChecked('input[name=decision][value=accept]'), false);
  assert.equal(await page.inputValue('select[name=urgency]'), '2', 'the urgency is kept');
  await page.fill('textarea[name=reason]', 'Sudah ditangani lewat DAK tahun berjalan');
  await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Catat keputusan")')]);
  assert.match((await page.textContent('main')) ?? '', /Keputusan tercatat/);
  assert.equal(await page.locator('input[name=decision][value=reject]').count(), 0, 'no longer waiting');
  assert.deepEqual(errors, []);
  await ctx.close();
});
