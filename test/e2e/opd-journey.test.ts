// The OPD journey in the browser (issue #11): the operator reads on the RKA page that only the head
// submits, adds a catalogue-priced line typing 1.000 as the volume, adds a trip inside the region
// (the form offers only land transport and the Pemda's own province), then the head submits the
// RKA: a confirmation page says what will happen, and the RKA page then says what was done.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startE2E, type E2E } from './browser.ts';

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

test('OPD operator: line with volume 1.000 and a trip dalam daerah; the head submits the RKA after a confirmation', async () => {
  const opCtx = await e.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const headCtx = await e.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const op = await opCtx.newPage();
  const errors: string[] = [];
  op.on('pageerror', (err) => errors.push(err.message));
  await loginAs(e, op, 'dinkes.operator');

  // the RKA page says who submits and why; the operator has no submit button
  await op.click('nav a[href="/budget"]');
  await op.waitForURL(/\/budget\/opd\/\d+/);
  const rkaUrl = op.url();
  assert.match((await op.textContent('#who-submits')) ?? '', /Hanya Kepala OPD yang dapat mengajukan RKA/);
  assert.equal(await op.locator('form[action$="/submit"]').count(), 0, 'no submit form for the operator');

  // a draft sub kegiatan: a catalogue line typed with the volume 1.000
  await op.locator('table.data tbody tr', { hasText: 'Draf' }).first().locator('a').first().click();
  await op.waitForURL(/\/budget\/sub\/\d+$/);
  const subUrl = op.url();
  await op.click('a:has-text("Tambah baris")');
  await op.waitForSelector('#line-form');
  await op.selectOption('select[name=account]', '5.1.02.01.01.0024');
  await op.fill('input[name=q]', 'kertas');
  await op.waitForSelector('#picker-results button.pick[data-name*="Kertas"]');
  await op.locator('#picker-results button.pick[data-name*="Kertas"]').first().click();
  // a price under the catalogue's (a thousand reams at the catalogue price would pass the ceiling)
  await op.fill('input[name=unit_price]', 'Rp 1.000');
  await op.fill('input[name=v1]', '1.000');
  await op.fill('input[name=u1]', 'Rim');
  await op.waitForFunction("document.querySelector('input[name=v1] + output.num-echo')?.textContent === '= 1.000 Rim'");
  await Promise.all([op.waitForURL(/\/budget\/sub\/\d+\?saved=1/), op.click('#save-line')]);
  assert.ok(await op.locator('table.lines tbody tr', { hasText: '1.000 Rim' }).count(), 'saved as 1.000 Rim');

  // a trip inside the region: only valid transport and destinations are offered
  await op.click('a:has-text("Perjalanan dinas")');
  await op.waitForSelector('#travel-form');
  await op.fill('input[name=description]', 'Monitoring puskesmas di kecamatan');
  await op.selectOption('select[name=travel_kind]', 'dalam_kota');
  assert.equal(await op.locator('select[name=transport] option[value=pesawat]').isDisabled(), true, 'no plane');
  assert.equal(await op.locator('select[name=transport] option[value=darat]').isDisabled(), true, 'no SBU land fare');
  assert.equal(await op.inputValue('select[name=transport]'), 'none', 'the plane is no longer chosen');
  assert.equal(
    await op.locator('select[name=province] option[value="DKI Jakarta"]').isDisabled(),
    true,
    'no other province',
  );
  assert.equal(await op.inputValue('select[name=province]'), 'Kalimantan Selatan', 'the own province is chosen');
  assert.match((await op.textContent('#travel-form')) ?? '', /dalam daerah hanya ke tujuan di Kalimantan Selatan/);
  await op.fill('input[name=persons]', '2');
  await op.fill('input[name=days]', '2');
  await op.locator('#travel-preview', { hasText: 'Uang harian' }).waitFor();
  await Promise.all([op.waitForURL(new RegExp(`${subUrl}(\\?|$)`)), op.click('button:has-text("Simpan perjalanan")')]);
  assert.match((await op.textContent('main')) ?? '', /Monitoring puskesmas di kecamatan/, 'the trip is listed');
  assert.doesNotMatch((await op.textContent('main')) ?? '', /5\.1\.02\.04\.01\.0003 tidak|rekening .* tidak/i);

  // the head submits the RKA: first a page that says what will happen, then what was done
  const head = await headCtx.newPage();
  head.on('pageerror', (err) => errors.push(err.message));
  await loginAs(e, head, 'dinkes.head');
  await head.goto(rkaUrl);
  assert.equal(await head.locator('#who-submits').count(), 0, 'the head is not told to ask the head');
  await Promise.all([
    head.waitForURL(/\/budget\/opd\/\d+\/submit$/),
    head.click('form[action$="/submit"] button:has-text("Ajukan RKA ke TAPD")'),
  ]);
  const confirm = (await head.textContent('main')) ?? '';
  assert.match(confirm, /Ajukan RKA Dinas Kesehatan ke TAPD\?/);
  const what = /(\d+) sub kegiatan Dinas Kesehatan dengan (\d+) baris, jumlah Rp ([\d.]+)/.exec(confirm);
  assert.ok(what, `the confirmation says how many sub kegiatan and lines and the total: ${confirm}`);
  assert.match(confirm, /baris tidak dapat diubah sampai TAPD mengembalikannya/);
  await Promise.all([head.waitForURL(/\/budget\/opd\/\d+/), head.click('#confirm-yes')]);
  const done = (await head.textContent('main')) ?? '';
  assert.match(
    done,
    new RegExp(
      `RKA Dinas Kesehatan diajukan ke TAPD: ${what[1]} sub kegiatan, jumlah Rp ${what[3]!.replace(/\./g, '\\.')}`,
    ),
    'the page says what was done',
  );
  // the operator's sub kegiatan is now submitted, and the operator can no longer add lines to it
  await op.goto(subUrl);
  assert.ok(await op.locator('.badge', { hasText: 'Diajukan' }).count(), 'submitted');
  assert.equal(await op.locator('a:has-text("Tambah baris")').count(), 0);
  assert.deepEqual(errors, []);
  await opCtx.close();
  await headCtx.close();
});

test('the catalogue picker offers exactly the allowed accounts of the item picked; one is chosen for you', async () => {
  const ctx = await e.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // another OPD: the first journey submitted all of Dinas Kesehatan's RKA
  await loginAs(e, page, 'disdik.operator');
  await page.click('nav a[href="/budget"]');
  await page.waitForURL(/\/budget\/opd\/\d+/);
  await page.locator('table.data tbody tr', { hasText: 'Draf' }).first().locator('a').first().click();
  await page.waitForURL(/\/budget\/sub\/\d+$/);
  await page.click('a:has-text("Tambah baris")');
  await page.waitForSelector('#line-form');
  // no account yet: the preview says what is missing instead of going blank
  assert.match((await page.textContent('#line-preview')) ?? '', /Jumlah belum dapat dihitung:[\s\S]*pilih rekening/);
  // search without an account, pick an item that allows one account
  await page.fill('input[name=q]', 'kertas');
  await page.waitForSelector('#picker-results button.pick');
  const single = page.locator('#picker-results button.pick:not([data-accounts*=" "])').first();
  const account = (await single.getAttribute('data-accounts'))!;
  assert.match(account, /^5(\.\d+){5}$/, 'the item carries its allowed account');
  await single.click();
  assert.equal(await page.inputValue('select[name=account]'), account, 'its only account is chosen');
  const offered = await page
    .locator('select[name=account] option:not([disabled])')
    .evaluateAll((os) => os.map((o) => o.getAttribute('value') ?? '').filter(Boolean));
  assert.deepEqual(offered, [account], 'only the allowed account is offered');
  // with a volume the preview computes; without one it says so
  assert.match((await page.textContent('#line-preview')) ?? '', /isi volume 1/);
  await page.fill('input[name=v1]', '2');
  await page.fill('input[name=u1]', 'Rim');
  await page.waitForSelector('#preview-total');
  assert.deepEqual(errors, []);
  await ctx.close();
});
