// The rules of a line held by the database itself (migration 0006: a trigger, no longer 19 CHECK
// constraints): a row that breaks one is refused with SQLSTATE 23514 naming the rule, on INSERT and
// on UPDATE; a row that keeps them is written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, type TestContext } from '../../testing/harness.ts';

let t: TestContext;
let line: { id: string; subtotal: string; tax: string; total: string; unit_price: string };
before(async () => {
  t = await testApp();
  line = (
    await sql<typeof line>`SELECT id::text, subtotal::text, tax::text, total::text, unit_price::text FROM bud_line
      WHERE pemda_id = ${t.pemdaId} AND kind = 'belanja' AND item_id IS NOT NULL AND v2 IS NULL AND tax_rate > 0
      ORDER BY id LIMIT 1`.execute(t.db)
  ).rows[0]!;
  assert.ok(line, 'the demo has a catalogue-priced line with tax');
});
after(async () => t?.close());

const refusal = async (q: { execute: (db: TestContext['db']) => Promise<unknown> }) => {
  try {
    await q.execute(t.db);
  } catch (err) {
    return err as { code?: string; constraint?: string };
  }
  return undefined;
};

test('an UPDATE that breaks the arithmetic is refused, naming the rule; one that keeps it is written', async () => {
  const wrongTotal = await refusal(
    sql`UPDATE bud_line SET total = total + 1 WHERE pemda_id = ${t.pemdaId} AND id = ${line.id}`,
  );
  assert.equal(wrongTotal?.code, '23514');
  assert.equal(wrongTotal?.constraint, 'bud_line_total');
  const wrongTax = await refusal(
    sql`UPDATE bud_line SET tax = tax + 1, total = total + 1 WHERE pemda_id = ${t.pemdaId} AND id = ${line.id}`,
  );
  assert.equal(wrongTax?.constraint, 'bud_line_tax');
  const wrongSubtotal = await refusal(
    sql`UPDATE bud_line SET v1 = v1 + 1 WHERE pemda_id = ${t.pemdaId} AND id = ${line.id}`,
  );
  assert.equal(wrongSubtotal?.constraint, 'bud_line_subtotal');
  const overCatalogue = await refusal(
    sql`UPDATE bud_line SET unit_price = catalogue_price + 1 WHERE pemda_id = ${t.pemdaId} AND id = ${line.id}`,
  );
  assert.equal(overCatalogue?.constraint, 'bud_line_price_within_catalogue');
  const negativeFactor = await refusal(
    sql`UPDATE bud_line SET v1 = -1 WHERE pemda_id = ${t.pemdaId} AND id = ${line.id}`,
  );
  assert.equal(negativeFactor?.constraint, 'bud_line_factor_positive');
  // nothing changed by the refused updates
  const now = (
    await sql<{
      total: string;
    }>`SELECT total::text FROM bud_line WHERE pemda_id = ${t.pemdaId} AND id = ${line.id}`.execute(t.db)
  ).rows[0]!;
  assert.equal(now.total, line.total);
  // a consistent change passes: the name only
  await sql`UPDATE bud_line SET name = name || ' (diubah)' WHERE pemda_id = ${t.pemdaId} AND id = ${line.id}`.execute(
    t.db,
  );
});

test('an INSERT that breaks a rule is refused; the same row with its arithmetic right is written', async () => {
  const copy = (totalDelta: number) => sql`INSERT INTO bud_line (pemda_id, stage_id, opd_id, kind, sub_kegiatan_id,
      sub_kegiatan_code, kegiatan_code, program_code, account_code, item_id, item_version, item_kind, item_code, name,
      unit, catalogue_price, unit_price, v1, u1, subtotal, tax_rate, tax, total, free_text, funding_source_id)
    SELECT pemda_id, stage_id, opd_id, kind, sub_kegiatan_id, sub_kegiatan_code, kegiatan_code, program_code,
      account_code, item_id, item_version, item_kind, item_code, name, unit, catalogue_price, unit_price, v1, u1,
      subtotal, tax_rate, tax, total + ${totalDelta}, free_text, funding_source_id
    FROM bud_line WHERE pemda_id = ${t.pemdaId} AND id = ${line.id}`;
  const err = await refusal(copy(1));
  assert.equal(err?.code, '23514');
  assert.equal(err?.constraint, 'bud_line_total');
  const kindErr = await refusal(
    sql`UPDATE bud_line SET kind = 'hibah' WHERE pemda_id = ${t.pemdaId} AND id = ${line.id}`,
  );
  assert.equal(kindErr?.constraint, 'bud_line_kind');
  await copy(0).execute(t.db);
});
