// Stored XSS (issue #10, hostile-input suite): payloads saved in text fields (a user's name, a
// citizen proposal's title and problem, an RKA line name, a catalogue item name) and rendered in
// Chromium by the pages that show them; no script may run (escaping + CSP).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { loginAs, startE2E, type E2E } from './browser.ts';
import { json } from '../../src/testing/harness.ts';
import { openStage, opdIdOf, subsOf } from '../../src/modules/budgeting/testing.ts';

let e: E2E;
before(async () => {
  e = await startE2E();
});
after(async () => e?.close());

const PAYLOADS = [
  `<script>window.__xss=(window.__xss||0)+1</script>`,
  `"><img src=x onerror="window.__xss=(window.__xss||0)+1">`,
  `'><svg onload=window.__xss=(window.__xss||0)+1>`,
  `javascript:window.__xss=1`,
];
const payload = (i: number) => `X${i} ${PAYLOADS[i % PAYLOADS.length]}`;

test('XSS payloads stored in text fields run no script on the pages that show them', async () => {
  const t = e.t;
  const paths: Array<[string | null, string]> = [];
  // a user's full name (shown on /users and the user's page)
  const admin = await t.as('admin');
  const u = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: admin,
    payload: { username: 'xss.user', password: 'tj8#Lw2q-Vz9m', full_name: payload(1), role: 'dprd' },
  });
  assert.equal(u.statusCode, 201, u.body);
  paths.push(['admin', '/users?q=xss'], ['admin', `/users/${json(u).id}`]);
  // an RKA line name (shown on the sub kegiatan page)
  const stage = await openStage(t);
  const dinkes = await opdIdOf(t, 'dinkes');
  const sub = (await subsOf(t, stage.id, dinkes))[0]!;
  await sql`UPDATE bud_line SET name = ${payload(2)} WHERE pemda_id = ${t.pemdaId} AND sub_kegiatan_id = ${sub.id}`.execute(
    t.db,
  );
  paths.push(['tapd', `/budget/sub/${sub.id}`], ['dinkes.operator', `/budget/sub/${sub.id}`]);
  // a catalogue item name
  await sql`UPDATE cat_item SET name = ${payload(0)} WHERE pemda_id = ${t.pemdaId} AND id = (SELECT min(id) FROM cat_item WHERE pemda_id = ${t.pemdaId})`
    .execute(t.db)
    .catch(() => undefined);
  paths.push(['admin', '/catalogue']);
  // a citizen proposal's title and problem (public tracking page, Bappeda's page)
  const p = await sql<{ id: number; tracking_code: string }>`SELECT id, tracking_code FROM pln_proposal
    WHERE pemda_id = ${t.pemdaId} AND kind = 'musrenbang' ORDER BY id LIMIT 1`.execute(t.db);
  const prop = p.rows[0]!;
  await sql`UPDATE pln_proposal SET title = ${payload(1)}, problem = ${payload(3)} WHERE pemda_id = ${t.pemdaId} AND id = ${prop.id}`.execute(
    t.db,
  );
  paths.push([null, `/lacak?kode=${prop.tracking_code}`], ['bappeda', `/perencanaan/usulan/${prop.id}`]);

  const ran: string[] = [];
  for (const [user, path] of paths) {
    const ctx = await e.browser.newContext();
    const page = await ctx.newPage();
    const dialogs: string[] = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    if (user) await loginAs(e, page, user);
    const res = await page.goto(`${e.base}${path}`, { waitUntil: 'networkidle' });
    assert.ok(res && res.status() < 500, `${path}: ${res?.status()}`);
    const html = await page.content();
    const shown = /X\d /.test(html);
    const hit = await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss ?? 0);
    if (hit || dialogs.length) ran.push(`${user ?? 'anonymous'} ${path}: ${hit} script(s) ran`);
    assert.ok(shown || path === '/catalogue', `${path} shows the stored text`);
    await ctx.close();
  }
  assert.deepEqual(ran, []);
});
