import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { EXECUTED_YEAR } from '../budgeting/index.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const get = async (url: string, user?: string) =>
  t.server.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(user ? await t.as(user) : {}) } });

test('an internal user sees the trace of a draft-stage line with its review note; the public page does not', async () => {
  const l = (
    await sql<{ id: string; name: string; sub_kegiatan_id: number; short_name: string }>`
      SELECT l.id::text AS id, l.name, l.sub_kegiatan_id, o.short_name
        FROM bud_line l JOIN bud_stage st ON st.pemda_id = l.pemda_id AND st.id = l.stage_id
        JOIN md_organisation o ON o.pemda_id = l.pemda_id AND o.id = l.opd_id
       WHERE l.pemda_id = ${t.pemdaId} AND st.status <> 'closed' AND l.kind = 'belanja' AND o.short_name = 'dinkes'
       ORDER BY l.id LIMIT 1`.execute(t.db)
  ).rows[0]!;
  assert.ok(l, 'the demo has an open stage with lines');
  await sql`UPDATE bud_sub_kegiatan SET review_note = 'CATATAN-TELAAH-UJI' WHERE pemda_id = ${t.pemdaId} AND id = ${l.sub_kegiatan_id}`.execute(
    t.db,
  );
  const res = await get(`/trace/line/${l.id}`, 'tapd');
  assert.equal(res.statusCode, 200, res.body);
  assert.match(res.body, /id="trace-line"/);
  assert.ok(res.body.includes('CATATAN-TELAAH-UJI'), 'review notes are shown internally');
  assert.match(res.body, /id="trace-renja"/);
  assert.match(res.body, /id="trace-lines"/);
  // its own OPD may follow it; another OPD and the public may not
  assert.equal((await get(`/trace/line/${l.id}`, 'dinkes.operator')).statusCode, 200);
  assert.equal((await get(`/trace/line/${l.id}`, 'disdik.operator')).statusCode, 403);
  const anon = await get(`/trace/line/${l.id}`);
  assert.notEqual(anon.statusCode, 200);
  const pub = await get(`/portal/jejak/rincian/${l.id}`);
  assert.equal(pub.statusCode, 404);
  assert.ok(!pub.body.includes('CATATAN-TELAAH-UJI'));
  assert.equal((await get('/trace/line/999999999999', 'tapd')).statusCode, 404);
});

test('"why does this exist?": from an SP2D row and a line back to the Renja item and the RPJMD goal', async () => {
  const s = (
    await sql<{ sp2d_number: string }>`
      SELECT r.sp2d_number FROM ctl_realisation r JOIN md_organisation o ON o.pemda_id = r.pemda_id AND o.id = r.opd_id
       WHERE r.pemda_id = ${t.pemdaId} AND r.year = ${EXECUTED_YEAR} AND o.short_name = 'dinkes' ORDER BY r.id LIMIT 1`.execute(
      t.db,
    )
  ).rows[0]!;
  const list = await get(`/controlling/realisation?year=${EXECUTED_YEAR}`, 'tapd');
  assert.match(list.body, /href="\/trace\/sp2d\/[^"]+"/, 'an SP2D row links to its trace');
  const res = await get(`/trace/sp2d/${encodeURIComponent(s.sp2d_number)}`, 'inspektorat');
  assert.equal(res.statusCode, 200, res.body);
  assert.match(res.body, /id="trace-sp2d"/);
  assert.match(res.body, /id="trace-dpa"/);
  assert.match(res.body, /RPJMD: /, 'the demo Renja 2026 of Dinkes reaches an RPJMD goal');
  assert.equal((await get(`/trace/sp2d/${encodeURIComponent(s.sp2d_number)}`, 'disdik.operator')).statusCode, 403);
});

test('a pending proposal has an internal trace but no public one', async () => {
  // a proposal the public may not follow (e.g. a Pokir while the Renja is not approved)
  const pending = (
    await sql<{ tracking_code: string }>`
      SELECT tracking_code FROM pln_proposal WHERE pemda_id = ${t.pemdaId} AND status = 'pending'
       ORDER BY kind DESC, id LIMIT 20`.execute(t.db)
  ).rows;
  let hidden: string | undefined;
  for (const p of pending)
    if ((await get(`/portal/jejak/usulan/${p.tracking_code}`)).statusCode === 404) {
      hidden = p.tracking_code;
      break;
    }
  assert.ok(hidden, 'the demo has a proposal that is not public');
  const res = await get(`/trace/proposal/${hidden}`, 'bappeda');
  assert.equal(res.statusCode, 200, res.body);
  assert.match(res.body, /id="trace-proposal"/);
  // a proposal that reached the Renja: its trace shows the Renja item and links back
  const q = (
    await sql<{ tracking_code: string }>`
      SELECT tracking_code FROM pln_proposal WHERE pemda_id = ${t.pemdaId} AND renja_item_id IS NOT NULL ORDER BY id LIMIT 1`.execute(
      t.db,
    )
  ).rows[0]!;
  const r2 = await get(`/trace/proposal/${q.tracking_code}`, 'bappeda');
  assert.equal(r2.statusCode, 200);
  assert.match(r2.body, /id="trace-renja"/);
});
