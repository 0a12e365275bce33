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
