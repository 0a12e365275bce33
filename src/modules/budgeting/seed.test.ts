import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, type TestContext } from '../../testing/harness.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

test('the demo budget is consistent: every maintained total equals the sum of what it totals, in every stage', async () => {
  // the stages of the demo: 2027 (KUA-PPAS, APBD open) and the executed 2026 year (KUA-PPAS, APBD)
  const stages = await sql<{ year: number; n: number }>`
    SELECT year, count(*)::int AS n FROM bud_stage WHERE pemda_id = ${t.pemdaId} GROUP BY year ORDER BY year`.execute(
    t.db,
  );
  assert.ok(stages.rows.length >= 2, 'two budget years');
  const subs = await sql<{ id: number }>`
    SELECT sk.id FROM bud_sub_kegiatan sk
     WHERE sk.pemda_id = ${t.pemdaId}
       AND sk.planned <> (SELECT coalesce(sum(l.total), 0) FROM bud_line l
                           WHERE l.pemda_id = sk.pemda_id AND l.sub_kegiatan_id = sk.id AND l.kind = 'belanja')`.execute(
    t.db,
  );
  assert.deepEqual(subs.rows, [], "every sub kegiatan's planned is the sum of its lines");
  const opds = await sql<{ stage_id: number; opd_id: number }>`
    SELECT c.stage_id, c.opd_id FROM bud_opd_ceiling c
     WHERE c.pemda_id = ${t.pemdaId}
       AND c.planned <> (SELECT coalesce(sum(sk.planned), 0) FROM bud_sub_kegiatan sk
                          WHERE sk.pemda_id = c.pemda_id AND sk.stage_id = c.stage_id AND sk.opd_id = c.opd_id)`.execute(
    t.db,
  );
  assert.deepEqual(opds.rows, [], "every OPD's planned is the sum of its sub kegiatan");
  const over = await sql<{ id: number }>`
    SELECT sk.id FROM bud_sub_kegiatan sk WHERE sk.pemda_id = ${t.pemdaId} AND sk.planned > sk.ceiling`.execute(t.db);
  assert.deepEqual(over.rows, [], 'no sub kegiatan of the demo is over its ceiling');
});
