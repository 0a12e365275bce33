// Browser test of the Command Center: the call-taker enters an incident with the keyboard, the
// operator dispatches it, the unit's page (a second browser context) shows it without a reload,
// the unit works it to resolved, and the operations room shows it resolved — all live.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startE2E, type E2E } from './browser.ts';

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

test('call-taker → unit (live) → resolved → room (live)', async () => {
  const opCtx = await e.browser.newContext({ viewport: { width: 1366, height: 768 } });
  const unitCtx = await e.browser.newContext({ viewport: { width: 390, height: 844 } });
  const op = await opCtx.newPage();
  const unit = await unitCtx.newPage();
  const errors: string[] = [];
  op.on('pageerror', (err) => errors.push(`op: ${err.message}`));
  unit.on('pageerror', (err) => errors.push(`unit: ${err.message}`));
  await loginAs(e, op, 'cc_operator');
  await loginAs(e, unit, 'dishub.unit');

  // the unit watches its queue
  await unit.goto(`${e.base}/command-center/unit`);
  await unit.waitForSelector('.cc-live-flag.on');
  const before = await unit.locator('article.cc-assignment').count();

  // the call-taker: one screen, keyboard first, priority from the category, kelurahan filtered
  await op.goto(`${e.base}/command-center/intake`);
  assert.equal(
    await op.evaluate('document.activeElement && document.activeElement.getAttribute("name")'),
    'reporter_phone',
  );
  await op.keyboard.type('0812 3456 7890');
  await op.keyboard.press('Tab');
  await op.keyboard.type('Budi Santoso');
  await op.selectOption('select[name=category_id]', { label: 'KLL · Kecelakaan lalu lintas' });
  assert.equal(await op.inputValue('select[name=priority]'), '1');
  await op.selectOption('select[name=kecamatan_id]', { label: 'Lembah Hijau' });
  const visibleKel = await op.locator('select[name=kelurahan_id] optgroup:not([hidden])').count();
  assert.equal(visibleKel, 1, 'kelurahan filtered by the kecamatan');
  await op.selectOption('select[name=kelurahan_id]', { label: 'Sungai Tabuk' });
  await op.fill('input[name=address]', 'Simpang empat Jl. Veteran');
  await op.fill('textarea[name=description]', 'Tabrakan motor dan pikap, satu korban luka');
  await op.focus('textarea[name=description]');
  await Promise.all([
    op.waitForLoadState('load'),
    op.waitForEvent('framenavigated'),
    op.keyboard.press('Control+Enter'),
  ]);
  // a recent demo incident nearby may be offered as a duplicate: this is a new one
  if (!/saved=/.test(op.url()))
    await Promise.all([op.waitForURL(/\/command-center\/intake\?saved=/), op.click('button[name=confirm_new]')]);
  const notice = (await op.textContent('p.notice')) ?? '';
  const id = /#(\d+)/.exec(notice)![1]!;
  assert.match(notice, /Kode lacak pelapor: CC-/);

  // dispatch: the category's OPD are ticked; send Dishub only
  await op.goto(`${e.base}/command-center/incidents/${id}`);
  const dinkes = op.locator('form.cc-dispatch label', { hasText: 'Dinas Kesehatan' }).locator('input');
  assert.equal(await dinkes.isChecked(), true);
  await dinkes.uncheck();
  await Promise.all([op.waitForURL(/ok=dispatched/), op.click('form.cc-dispatch button')]);

  // the unit's page shows it without a reload
  const card = unit.locator(`article.cc-assignment[data-incident="${id}"]`);
  await card.waitFor({ timeout: 5000 });
  assert.equal(await unit.locator('article.cc-assignment').count(), before + 1);

  // the room watches
  await op.goto(`${e.base}/command-center`);
  await op.waitForSelector('.cc-live-flag.on');
  const row = op.locator(`tr[data-incident="${id}"]`);
  await row.waitFor();

  // the unit works it: acknowledged → en route → on scene → resolved
  for (const step of ['acknowledged', 'en_route', 'on_scene']) {
    await Promise.all([
      unit.waitForURL(/ok=/),
      unit.locator(`article.cc-assignment[data-incident="${id}"] button.cc-step-${step}`).click(),
    ]);
  }
  await unit.fill(
    `article.cc-assignment[data-incident="${id}"] input[name=note]`,
    'Korban dibawa ambulans, jalan dibersihkan',
  );
  await Promise.all([
    unit.waitForURL(/ok=resolved/),
    unit.locator(`article.cc-assignment[data-incident="${id}"] button.cc-step-resolved`).click(),
  ]);
  assert.equal(await unit.locator(`article.cc-assignment[data-incident="${id}"]`).count(), 0);

  // the room shows it resolved, without a reload
  await op
    .locator(`table.cc-incidents tr[data-incident="${id}"] .cc-istatus[data-status="closed"]`)
    .waitFor({ timeout: 5000 });
  assert.deepEqual(errors, []);
  await opCtx.close();
  await unitCtx.close();
});
