// Browser test of the public portal (no log-in): drill from the APBD total down to one line and follow
// its trace to the DPA and the SP2D that paid it; search a misspelt word; follow the trace of a demo
// proposal of 2026 (the year in execution) to the SP2D that paid its sub kegiatan; a 2027 proposal
// reaches its Renja item and says the 2027 APBD is not yet approved.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startE2E, type E2E } from './browser.ts';

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

const rupiah = (s: string | null) => BigInt((s ?? '').replace(/[^\d]/g, '') || '0');

test('portal: APBD total → OPD → sub kegiatan → line → trace to realisation; search; a proposal trace', async () => {
  const ctx = await e.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${e.base}/portal`);
  await page.click('a[href$="/portal/apbd/2026/murni"]');
  const total = rupiah(await page.locator('#apbd-table tfoot td.num').first().textContent());
  assert.ok(total > 0n, 'the APBD total');
  const opdTotal = rupiah(await page.locator('#apbd-table tbody tr').first().locator('td.num').first().textContent());
  await page.locator('#apbd-table tbody tr').first().locator('a').click();
  await page.waitForSelector('#opd-subs');
  const subSum = (await page.locator('#opd-subs tbody tr td.num:nth-of-type(3)').allTextContents()).reduce(
    (s, x) => s + rupiah(x),
    0n,
  );
  assert.equal(subSum, opdTotal, 'the OPD row is the sum of its sub kegiatan');
  await page.locator('#opd-subs tbody tr').first().locator('a').click();
  await page.waitForSelector('#lines');
  assert.ok((await page.locator('#lines tbody tr').count()) > 0, 'the lines of a sub kegiatan');
  await page.locator('#lines tbody tr').first().locator('a', { hasText: 'Telusuri' }).click();
  await page.waitForSelector('#trace-line');
  assert.match((await page.locator('#trace-dpa').textContent()) ?? '', /DPA\/A\.1\//);
  const sp2d = page.locator('#trace-realisation a').first();
  assert.ok((await sp2d.count()) > 0, 'the SP2D that paid the sub kegiatan');
  await sp2d.click();
  await page.waitForSelector('#trace-sp2d');

  await page.goto(`${e.base}/portal`);
  await page.fill('input[name=q]', 'kertsa');
  await page.click('form[role=search] button');
  await page.waitForSelector('#lines');
  assert.match((await page.locator('#lines').textContent()) ?? '', /Kertas/i);

  // a citizen's proposal of the year in execution (Musrenbang 2026), followed down to the SP2D that paid it
  await page.goto(`${e.base}/portal/usulan/2026`);
  const links = await page
    .locator('#proposals tbody tr', { hasText: 'Diterima' })
    .locator('a[href^="/portal/jejak/usulan/MR26-"]')
    .evaluateAll((as) => as.slice(0, 10).map((a) => a.getAttribute('href')!));
  assert.ok(links.length > 0, 'accepted Musrenbang proposals of 2026');
  let followed = false;
  for (const href of links) {
    await page.goto(`${e.base}${href}`);
    await page.waitForSelector('#trace-proposal');
    assert.equal(await page.locator('#trace-renja').count(), 1, 'the accepted proposal reaches its Renja item');
    const paid = page.locator('#trace-realisation a[href^="/portal/jejak/sp2d/"]').first();
    if ((await paid.count()) === 0) continue;
    assert.match((await page.locator('#trace-dpa').textContent()) ?? '', /DPA\/A\.1\//);
    const number = (await paid.textContent())!.trim();
    await paid.click();
    await page.waitForSelector('#trace-sp2d');
    assert.ok(((await page.locator('#trace-sp2d').textContent()) ?? '').includes(number), 'the SP2D followed');
    followed = true;
    break;
  }
  assert.ok(followed, 'a demo proposal traces to its realisation');

  // a proposal of 2027 stops where the chain stops: the APBD 2027 is still being discussed
  await page.goto(`${e.base}/portal/usulan/2027`);
  const accepted = page.locator('#proposals tbody tr', { hasText: 'Diterima' }).first().locator('a');
  await accepted.click();
  await page.waitForSelector('#trace-proposal');
  assert.ok((await page.locator('#trace-renja').count()) === 1, 'the accepted proposal reaches its Renja item');
  assert.match((await page.locator('ol.trace').textContent()) ?? '', /belum disahkan/);
  assert.deepEqual(errors, []);
  await ctx.close();
});
