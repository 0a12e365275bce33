// A DPRD member enters a Pokir in the browser (issue #11): within the open window, the form marks
// required fields and preselects no place; the kelurahan list follows the kecamatan, also where two
// villages share a name (Mekar Jaya is in Sukamaju and in Padang Luas), and the Pokir is saved for
// the village chosen and listed with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startE2E, type E2E } from './browser.ts';

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

test('DPRD Pokir: window open, kelurahan filtered by kecamatan (shared village name), saved and listed', async () => {
  const ctx = await e.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await loginAs(e, page, 'dprd');
  await page.goto(`${e.base}/pokir?year=2028`);
  assert.match((await page.textContent('main')) ?? '', /Jendela Pokir terbuka/);
  await Promise.all([page.waitForURL(/\/pokir\/baru/), page.click('a:has-text("Pokir baru")')]);

  // nothing preselected; required fields marked; the village list waits for the kecamatan
  assert.equal(await page.inputValue('select[name=kecamatan_id]'), '');
  assert.equal(await page.inputValue('select[name=kelurahan_id]'), '');
  assert.ok((await page.locator('abbr.req').count()) >= 5, 'required fields are marked');
  assert.match((await page.textContent('#kelurahan-hint')) ?? '', /Pilih kecamatan terlebih dahulu/);

  // Padang Luas: only its villages can be chosen; its Mekar Jaya, not Sukamaju's
  await page.selectOption('select[name=kecamatan_id]', { label: 'Padang Luas' });
  const kecId = await page.inputValue('select[name=kecamatan_id]');
  const enabled = page.locator('select[name=kelurahan_id] option:not([disabled])');
  const parents = new Set(
    (await enabled.evaluateAll((os) => os.map((o) => o.getAttribute('data-parent')))).filter(Boolean),
  );
  assert.deepEqual([...parents], [kecId], 'only the villages of Padang Luas are offered');
  const mekar = page.locator('select[name=kelurahan_id] option', { hasText: 'Mekar Jaya' });
  assert.equal(await mekar.count(), 2, 'two villages are called Mekar Jaya');
  const ours = enabled.filter({ hasText: 'Mekar Jaya' });
  assert.equal(await ours.count(), 1, 'one of them belongs to Padang Luas');
  const kelId = (await ours.getAttribute('value'))!;
  await page.selectOption('select[name=kelurahan_id]', kelId);

  await page.fill('input[name=title]', 'Pengerasan jalan desa Mekar Jaya Padang Luas');
  await page.fill('textarea[name=problem]', 'Jalan tanah licin di musim hujan; hasil reses dapil.');
  await page.fill('input[name=volume]', '1.200');
  await page.fill('input[name=unit]', 'Meter');
  await page.fill('input[name=estimated_cost]', 'Rp 850.000.000');
  await Promise.all([page.waitForURL(/\/perencanaan\/usulan\/\d+/), page.click('form button:has-text("Simpan")')]);
  const detail = (await page.textContent('main')) ?? '';
  assert.match(detail, /Usulan tersimpan/);
  // saved in the Mekar Jaya of Padang Luas, not the one of Sukamaju
  assert.match(detail, /Lokasi\s*Mekar Jaya, Padang Luas/);
  assert.doesNotMatch(detail, /Lokasi\s*Mekar Jaya, Sukamaju/);

  // the member's list shows it with its village and kecamatan
  await page.goto(`${e.base}/pokir?year=2028`);
  const row = page.locator('table.data tbody tr', { hasText: 'Pengerasan jalan desa Mekar Jaya Padang Luas' });
  assert.equal(await row.count(), 1, 'listed');
  assert.match((await row.textContent()) ?? '', /Mekar Jaya, Padang Luas/);
  assert.match((await row.textContent()) ?? '', /850\.000\.000/);
  assert.deepEqual(errors, []);
  await ctx.close();
});
