// Journeys across roles in the browser (issue #11): an OPD head submits a sub kegiatan; TAPD finds it
// in the verification queue, returns it with a note on a line; the OPD sees the note and submits
// again; TAPD approves it after the confirmation page, which says what will happen, and the page
// then says what was done.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startE2E, type E2E } from './browser.ts';

let e: E2E;
/** The sub kegiatan approved in the first journey (its page URL). */
let approvedSub = '';
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

test('RKA verification: submit → TAPD queue → return with a line note → resubmit → approve (confirmed)', async () => {
  const opd = await e.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const tapd = await e.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const head = await opd.newPage();
  const verifier = await tapd.newPage();
  const errors: string[] = [];
  for (const p of [head, verifier]) p.on('pageerror', (err) => errors.push(err.message));
  await loginAs(e, head, 'dinkes.head');
  await loginAs(e, verifier, 'tapd');

  // the OPD head opens a draft sub kegiatan that has lines and submits it
  await head.click('nav a[href="/budget"]');
  await head.waitForURL(/\/budget\/opd\/\d+/);
  const rows = head.locator('table.data tbody tr', { hasText: 'Draf' });
  let subUrl = '';
  for (let i = 0; i < (await rows.count()) && !subUrl; i++) {
    const href = await rows.nth(i).locator('a[href^="/budget/sub/"]').first().getAttribute('href');
    await head.goto(`${e.base}${href}`);
    if ((await head.locator('table.lines tbody tr').count()) > 0) subUrl = href!;
  }
  assert.ok(subUrl, 'a draft sub kegiatan with lines');
  const subId = /\/budget\/sub\/(\d+)/.exec(subUrl)![1]!;
  await Promise.all([
    head.waitForURL(new RegExp(`/budget/sub/${subId}`)),
    head.click('button:has-text("Ajukan ke TAPD")'),
  ]);
  assert.ok(await head.locator('.badge', { hasText: 'Diajukan' }).count(), 'submitted');

  // TAPD: the queue lists it; open it and return it with a note on its first line
  await verifier.goto(`${e.base}/budget/queue`);
  await Promise.all([
    verifier.waitForURL(new RegExp(`/budget/sub/${subId}$`)),
    verifier.click(`a[href="/budget/sub/${subId}"]`),
  ]);
  const firstNote = verifier
    .locator('form[action$="/return"] input[name^="note_"], form[action$="/return"] textarea[name^="note_"]')
    .first();
  await firstNote.fill('Volume kertas terlalu besar untuk 12 bulan');
  await verifier.fill('form[action$="/return"] textarea[name=note]', 'Lengkapi spesifikasi dan sesuaikan volume');
  await Promise.all([
    verifier.waitForURL(new RegExp(`/budget/sub/${subId}`)),
    verifier.click('button:has-text("Kembalikan ke OPD")'),
  ]);
  assert.ok(await verifier.locator('.badge', { hasText: 'Dikembalikan' }).count(), 'returned');

  // the OPD sees both notes, then submits again
  await head.goto(`${e.base}${subUrl}`);
  const opdPage = await head.content();
  assert.ok(opdPage.includes('Lengkapi spesifikasi dan sesuaikan volume'), 'the note of the return');
  assert.ok(opdPage.includes('Volume kertas terlalu besar untuk 12 bulan'), 'the note on the line');
  await Promise.all([
    head.waitForURL(new RegExp(`/budget/sub/${subId}`)),
    head.click('button:has-text("Ajukan ke TAPD")'),
  ]);
  assert.ok(await head.locator('.badge', { hasText: 'Diajukan' }).count(), 'submitted again');

  // TAPD approves: the confirmation page asks first and names the sub kegiatan and its amount
  await verifier.goto(`${e.base}/budget/sub/${subId}`);
  await Promise.all([
    verifier.waitForURL(/\/approve$/),
    verifier.click('form[action$="/approve"] button:has-text("Setujui")'),
  ]);
  assert.match((await verifier.textContent('main')) ?? '', /Setujui .*\?/);
  assert.match((await verifier.textContent('main')) ?? '', /Rp [\d.]+/);
  await Promise.all([
    verifier.waitForURL(new RegExp(`/budget/sub/${subId}`)),
    verifier.click('button:has-text("Ya, setujui")'),
  ]);
  assert.ok(await verifier.locator('.badge', { hasText: 'Disetujui' }).count(), 'approved');
  assert.match((await verifier.content()) ?? '', /disetujui: Rp [\d.]+/, 'the page says what was done');
  approvedSub = subUrl;
  assert.deepEqual(errors, []);
  await opd.close();
  await tapd.close();
});

test('Inspektorat reads the audit trail in words: who approved the sub kegiatan, when, verified', async () => {
  assert.ok(approvedSub, 'the verification journey ran first');
  const ctx = await e.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  await loginAs(e, page, 'inspektorat');
  await Promise.all([page.waitForURL(/\/audit/), page.click('nav a[href="/audit"]')]);
  // the newest records come first: TAPD's approval, in words, with the actor's name
  const approval = page.locator('table.audit tbody tr', { hasText: 'menyetujui' }).first();
  assert.ok(await approval.count(), 'an approval in words');
  assert.match((await approval.textContent()) ?? '', /TAPD|Tim Anggaran/i);
  const submits = page.locator('table.audit tbody tr', { hasText: 'mengajukan' });
  assert.ok((await submits.count()) >= 2, 'both submissions are recorded');
  // the chain verifies from the page
  await Promise.all([page.waitForURL(/verify=1/), page.click('a:has-text("Periksa rantai hash")')]);
  assert.match((await page.textContent('p.notice')) ?? '', /Rantai hash utuh: [\d.]+ catatan diperiksa/);
  await ctx.close();
});
