// Helpers shared by the budgeting tests (not a test file itself).
import { listOpds } from '../master-data/index.ts';
import assert from 'node:assert/strict';
import { json, type TestContext } from '../../testing/harness.ts';
import { searchCatalogue, type PricedItem } from '../catalogue/index.ts';
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';

// The APBD report engine below the HTTP layer, for the benchmark (bench/apbd.bench.ts), which
// measures it next to bare SQL. Not part of the module's public surface (index.ts).
export { collectReport, streamRaw } from './apbd/engine.ts';
export { reportDef } from './apbd/reports.ts';
export { inSnapshot, reportDoc, writeDoc } from './apbd/apbd.service.ts';

export interface Fixture {
  stageId: number;
  opdId: (short: string) => Promise<number>;
}

export async function openStage(t: TestContext): Promise<{ id: number; year: number; kind: string }> {
  const res = await t.server.inject({ method: 'GET', url: '/api/v1/budget/stages', headers: await t.as('tapd') });
  assert.equal(res.statusCode, 200, res.body);
  const open = json(res).stages.find((s: { status: string }) => s.status === 'open');
  assert.ok(open, 'the demo has an open stage');
  return open;
}

export async function opdIdOf(t: TestContext, short: string): Promise<number> {
  const opd = (await listOpds(t.db, t.pemdaId)).find((o) => o.shortName === short);
  if (!opd) throw new Error(`no OPD ${short}`);
  return opd.id;
}

export interface SubRow {
  id: number;
  code: string;
  version: number;
  status: string;
  ceiling: string;
  planned: string;
  remaining: string;
  lines: number;
}

export async function subsOf(t: TestContext, stageId: number, opdId: number, as = 'tapd'): Promise<SubRow[]> {
  const res = await t.server.inject({
    method: 'GET',
    url: `/api/v1/budget/stages/${stageId}/opds/${opdId}`,
    headers: await t.as(as),
  });
  assert.equal(res.statusCode, 200, res.body);
  return json(res).sub_kegiatan;
}

export async function sub(t: TestContext, id: number, as = 'tapd') {
  const res = await t.server.inject({
    method: 'GET',
    url: `/api/v1/budget/sub-kegiatan/${id}`,
    headers: await t.as(as),
  });
  assert.equal(res.statusCode, 200, res.body);
  return json(res);
}

export async function itemFor(t: TestContext, account: string, year = 2027, pick = 0): Promise<PricedItem> {
  const { rows } = await searchCatalogue(t.db, t.pemdaId, { year, account, limit: 20 });
  assert.ok(rows.length > pick, `catalogue items for ${account}`);
  return rows[pick]!;
}

/** Sum of the lines of a sub kegiatan, straight from the table. */
export async function sumLines(t: TestContext, subId: number): Promise<bigint> {
  const rows = await t.db
    .selectFrom('bud_line')
    .select('total')
    .where('pemda_id', '=', t.pemdaId)
    .where('sub_kegiatan_id', '=', subId)
    .execute();
  return rows.reduce((s, r) => s + BigInt(r.total), 0n);
}

export const ATK = '5.1.02.01.01.0024';

/**
 * The maintained totals of a Pemda that disagree with what they total (empty when consistent): sub
 * kegiatan whose planned is not the sum of their lines, OPD ceilings whose planned is not the sum of
 * their sub kegiatan, and sub kegiatan over their ceiling. Used by the demo and scale seed tests.
 */
export async function inconsistentTotals(db: Db, pemdaId: number) {
  const subs = await sql<{ id: number }>`
    SELECT sk.id FROM bud_sub_kegiatan sk
     WHERE sk.pemda_id = ${pemdaId}
       AND sk.planned <> (SELECT coalesce(sum(l.total), 0) FROM bud_line l
                           WHERE l.pemda_id = sk.pemda_id AND l.sub_kegiatan_id = sk.id AND l.kind = 'belanja')`.execute(
    db,
  );
  const opds = await sql<{ stage_id: number; opd_id: number }>`
    SELECT c.stage_id, c.opd_id FROM bud_opd_ceiling c
     WHERE c.pemda_id = ${pemdaId}
       AND c.planned <> (SELECT coalesce(sum(sk.planned), 0) FROM bud_sub_kegiatan sk
                          WHERE sk.pemda_id = c.pemda_id AND sk.stage_id = c.stage_id AND sk.opd_id = c.opd_id)`.execute(
    db,
  );
  const over = await sql<{ id: number }>`
    SELECT sk.id FROM bud_sub_kegiatan sk WHERE sk.pemda_id = ${pemdaId} AND sk.planned > sk.ceiling`.execute(db);
  return { subs: subs.rows, opds: opds.rows, overCeiling: over.rows };
}
