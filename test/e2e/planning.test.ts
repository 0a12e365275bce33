// Browser tests of e-Planning: the cascade (pohon kinerja) of a demo sub kegiatan up to its RPJMD
// goal, and a citizen's Musrenbang proposal from the public form to its tracking page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startE2E, type E2E } from './browser.ts';
import { challengeAnswer } from '../../src/core/http/antispam.ts';

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

test('an OPD operator opens the cascade of a sub kegiatan of its Renja and sees the chain up to the RPJMD goal', async () => {
  const ctx = await e.browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await loginAs(e, page, 'dpupr.operator');
  await page.click('nav a[href="/perencanaan"]');
  await page.click('a[href="/perencanaan/pohon-kinerja"]');
  // the OPD's own Renja items are offered
  await page.selectOption('select[name=code]', '1.03.10.2.01.0051');
  await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Tampilkan rantai")')]);
  await page.waitForSelector('ol.cascade-levels');
  const levels = await page.locator('ol.cascade-levels > li').allTextContents();
  assert.match(levels[0] ?? '', /^Visi/);
  assert.ok(
    levels.some((l) => /Tujuan RPJMD.*Meningkatkan kualitas dan pemerataan infrastruktur wilayah/.test(l)),
    levels.join('\n'),
  );
  assert.ok(levels.some((l) => /Sasaran RPJMD.*Meningkatnya kemantapan jalan kabupaten/.test(l)));
  assert.match(levels.at(-1) ?? '', /Sub kegiatan.*1\.03\.10\.2\.01\.0051.*Pemeliharaan Rutin Jalan/);
  // from the goal, everything under it
  await Promise.all([page.waitForLoadState('load'), page.click('ol.cascade-levels li.level-goal a')]);
  assert.match((await page.textContent('main')) ?? '', /Dinas Perhubungan/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a citizen sends a proposal through the public form and follows it by its tracking code', async () => {
  const ctx = await e.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  await page.goto(`${e.base}/usulan`);
  await page.fill('input[name=title]', 'Perbaikan jembatan kayu RT 02');
  await page.fill('textarea[name=problem]', 'Jembatan lapuk dan berbahaya bagi anak sekolah.');
  await page.selectOption('select[name=category_code]', 'jalan_rehab');
  // no village is chosen for the citizen; required fields are marked; volume and cost have help
  assert.equal(await page.inputValue('select[name=kecamatan_id]'), '');
  assert.equal(await page.inputValue('select[name=kelurahan_id]'), '');
  const fields = ['title', 'problem', 'kecamatan_id', 'kelurahan_id', 'volume', 'unit', 'estimated_cost'];
  for (const f of [...fields, 'submitter_name', 'submitter_contact'])
    assert.equal(await page.locator(`label:has([name=${f}]) abbr.req`).count(), 1, `${f} is marked required`);
  for (const f of ['title', 'kecamatan_id', 'kelurahan_id', 'volume', 'estimated_cost'])
    assert.equal(await page.locator(`[name=${f}]`).getAttribute('required'), '', `${f} is required`);
  assert.ok(((await page.textContent('#volume-hint')) ?? '').length > 10, 'volume help text');
  assert.ok(((await page.textContent('#cost-hint')) ?? '').length > 10, 'cost help text');
  // the kecamatan first, then one of its villages: the others cannot be chosen
  await page.selectOption('select[name=kecamatan_id]', { index: 1 });
  const kec = await page.inputValue('select[name=kecamatan_id]');
  const offered = await page
    .locator('select[name=kelurahan_id] option[data-parent]:not([disabled])')
    .evaluateAll((os) => os.map((o) => o.getAttribute('data-parent')));
  assert.ok(offered.length > 0 && offered.every((x) => x === kec), 'only the villages of the kecamatan');
  const village = await page
    .locator('select[name=kelurahan_id] option[data-parent]:not([disabled])')
    .first()
    .getAttribute('value');
  await page.selectOption('select[name=kelurahan_id]', village!);
  await page.fill('input[name=volume]', '30');
  await page.fill('input[name=unit]', 'Meter');
  await page.fill('input[name=estimated_cost]', '150.000.000');
  await page.fill('input[name=submitter_name]', 'Pak Rahmat');
  await page.fill('input[name=submitter_contact]', '081200000000');
  // the security question: the person reads it; the test asks the server's store for its answer
  const token = (await page.getAttribute('input[name=challenge_token]', 'value')) ?? '';
  await page.fill('input[name=challenge_answer]', await challengeAnswer(e.t.db, token));
  await Promise.all([page.waitForURL(/\/lacak\?/), page.click('button:has-text("Kirim usulan")')]);
  const code = (await page.textContent('.tracking-code'))?.trim() ?? '';
  assert.match(code, /^MR\d{2}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.match((await page.textContent('p.notice')) ?? '', new RegExp(code));
  // a new visit with the code shows the same history
  await page.goto(`${e.base}/lacak`);
  await page.fill('input[name=kode]', code.toLowerCase());
  await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Lacak")')]);
  assert.match((await page.textContent('table.steps')) ?? '', /Diusulkan/);
  assert.doesNotMatch((await page.textContent('main')) ?? '', /081200000000/);
  await ctx.close();
});
