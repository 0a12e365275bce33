import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { inconsistentTotals } from './testing.ts';

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
  const bad = await inconsistentTotals(t.db, t.pemdaId);
  assert.deepEqual(bad.subs, [], "every sub kegiatan's planned is the sum of its lines");
  assert.deepEqual(bad.opds, [], "every OPD's planned is the sum of its sub kegiatan");
  assert.deepEqual(bad.overCeiling, [], 'no sub kegiatan of the demo is over its ceiling');
});

test('every account of every demo line, at every level of the chart, has its name in the year of its stage (no unnamed print row)', async () => {
  const r = await sql<{ code: string; year: number }>`
    WITH codes AS (
      SELECT DISTINCT l.account_code AS c, st.year FROM bud_line l
      JOIN bud_stage st ON st.pemda_id = l.pemda_id AND st.id = l.stage_id WHERE l.pemda_id = ${t.pemdaId}),
    prefixes AS (
      SELECT DISTINCT array_to_string((string_to_array(c, '.'))[1:n], '.') AS code, year
      FROM codes, generate_series(1, 6) n WHERE n <= array_length(string_to_array(c, '.'), 1))
    SELECT p.code, p.year FROM prefixes p
    WHERE NOT EXISTS (SELECT 1 FROM md_account a WHERE a.pemda_id = ${t.pemdaId} AND a.year = p.year AND a.code = p.code
                      AND a.name <> '')
    ORDER BY 2, 1`.execute(t.db);
  assert.deepEqual(
    r.rows.map((x) => `${x.year} ${x.code}`),
    [],
  );
});
