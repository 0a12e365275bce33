// The one-statement line save (line-save.ts): every refusal leaves the OPD's and the sub kegiatan's
// planned totals, the lines and the audit trail as they were, also when the rows changed between
// the save's read and its write; the audit record is the line the API answers with.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { ATK, itemFor, openStage, opdIdOf, subsOf, type SubRow } from './testing.ts';
import { createLine, readLineSaveContext } from './rka.service.ts';
import { getLine, lineOut } from './lines.service.ts';
import { withGrants } from '../../core/roles.ts';

let t: TestContext;
let stageId: number;
let opdId: number;
let subs: SubRow[];
let item: Awaited<ReturnType<typeof itemFor>>;

before(async () => {
  t = await testApp();
  stageId = (await openStage(t)).id;
  opdId = await opdIdOf(t, 'dinkes');
  subs = (await subsOf(t, stageId, opdId)).filter((s) => s.status === 'draft');
  assert.ok(subs.length >= 3, 'three draft sub kegiatan');
  item = await itemFor(t, ATK);
});
after(async () => t?.close());

/** The OPD's operator acting directly on the service (no HTTP), to put a change between read and write. */
async function operator() {
  const u = await t.db
    .selectFrom('usr_user')
    .select(['id', 'username', 'full_name', 'role', 'opd_id'])
    .where('pemda_id', '=', t.pemdaId)
    .where('username', '=', 'dinkes.operator')
    .executeTakeFirstOrThrow();
  return withGrants(
    {
      pemdaId: t.pemdaId,
      userId: u.id,
      username: u.username,
      fullName: u.full_name,
      role: u.role,
      opdId: u.opd_id,
      regionId: null,
      via: 'session',
    },
    t.app.registry.permissions,
  );
}

const url = (subId: number) => `/api/v1/budget/sub-kegiatan/${subId}/lines`;
const body = (v = '1') => ({ account_code: ATK, item_id: item.itemId, factors: [{ v, u: 'Buah' }] });

/** Everything a refused save must leave as it was. */
async function state(subId: number) {
  const r = await sql<{ opd: string; sub: string; lines: string; audit: string }>`SELECT
    (SELECT planned FROM bud_opd_ceiling WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stageId} AND opd_id = ${opdId}) AS opd,
    (SELECT planned FROM bud_sub_kegiatan WHERE pemda_id = ${t.pemdaId} AND id = ${subId}) AS sub,
    (SELECT count(*) FROM bud_line WHERE pemda_id = ${t.pemdaId} AND sub_kegiatan_id = ${subId}) AS lines,
    (SELECT count(*) FROM core_audit_log WHERE pemda_id = ${t.pemdaId}) AS audit`.execute(t.db);
  const s = r.rows[0]!;
  return { opd: String(s.opd), sub: String(s.sub), lines: String(s.lines), audit: String(s.audit) };
}

test('the audit record of a save is the line the API answers with, in the same statement', async () => {
  const target = subs[0]!;
  const res = await t.server.inject({
    method: 'POST',
    url: url(target.id),
    payload: body('3'),
    headers: await t.as('dinkes.operator'),
  });
  assert.equal(res.statusCode, 201, res.body);
  const line = json(res);
  const rec = await t.db
    .selectFrom('core_audit_log')
    .select(['action', 'entity', 'entity_id', 'opd_id', 'after', 'actor_name'])
    .where('pemda_id', '=', t.pemdaId)
    .where('entity', '=', 'bud_line')
    .where('entity_id', '=', line.id)
    .executeTakeFirstOrThrow();
  assert.equal(rec.action, 'create');
  assert.equal(rec.opd_id, opdId);
  assert.equal(rec.actor_name, 'dinkes.operator');
  const after = (typeof rec.after === 'string' ? JSON.parse(rec.after) : rec.after) as Record<string, unknown>;
  assert.deepEqual(after, line, 'the audit after equals the response body');
  const stored = await getLine(t.db, t.pemdaId, line.id);
  assert.deepEqual(JSON.parse(JSON.stringify(lineOut(stored!))), line, 'the line read back equals the response body');
});

test('over the sub kegiatan ceiling while the OPD ceiling fits: 422, and the OPD step is undone', async () => {
  const target = subs[1]!;
  const before = await state(target.id);
  const remaining = BigInt(target.ceiling) - BigInt(target.planned);
  const v = (remaining / BigInt(item.price) + 1n).toString();
  const res = await t.server.inject({
    method: 'POST',
    url: url(target.id),
    payload: body(v),
    headers: await t.as('dinkes.operator'),
  });
  assert.equal(res.statusCode, 422, res.body);
  assert.equal(json(res).fields[0].field, 'total');
  assert.match(json(res).message, /pagu sub kegiatan|Sisa pagu|pagu/i);
  assert.deepEqual(await state(target.id), before, 'nothing moved: OPD planned, sub planned, lines, audit');
});

test('a TAPD lock or a submit between the read and the write refuses the save and changes nothing', async () => {
  const target = subs[2]!;
  const actor = await operator();
  // the save read its context; then TAPD locks the sub kegiatan
  const ctx = await readLineSaveContext(t.db, t.pemdaId, target.id, body());
  assert.ok(ctx);
  await sql`INSERT INTO bud_lock (pemda_id, stage_id, opd_id, code, locked_by)
            VALUES (${t.pemdaId}, ${stageId}, ${opdId}, ${ctx.sub.code}, 'tapd')`.execute(t.db);
  const before = await state(target.id);
  await assert.rejects(
    () => createLine(t.db, actor, target.id, body(), { ctx }),
    (e: { status?: number }) => e.status === 423,
  );
  assert.deepEqual(await state(target.id), before);
  await sql`DELETE FROM bud_lock WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stageId} AND code = ${ctx.sub.code}`.execute(
    t.db,
  );
  // read again; then the sub kegiatan is submitted before the write
  const ctx2 = await readLineSaveContext(t.db, t.pemdaId, target.id, body());
  await sql`UPDATE bud_sub_kegiatan SET status = 'submitted' WHERE pemda_id = ${t.pemdaId} AND id = ${target.id}`.execute(
    t.db,
  );
  await assert.rejects(
    () => createLine(t.db, actor, target.id, body(), { ctx: ctx2! }),
    (e: { status?: number; messageKey?: string }) => e.status === 423 && e.messageKey === 'bud.error.sub_submitted',
  );
  assert.deepEqual(await state(target.id), before);
  await sql`UPDATE bud_sub_kegiatan SET status = 'draft' WHERE pemda_id = ${t.pemdaId} AND id = ${target.id}`.execute(
    t.db,
  );
  // and with nothing in the way the same context saves
  const ctx3 = await readLineSaveContext(t.db, t.pemdaId, target.id, body());
  const out = await createLine(t.db, actor, target.id, body(), { ctx: ctx3! });
  assert.equal(out.id, ctx3!.lineId, 'the line has the id read with its context');
  const after = await state(target.id);
  assert.equal(BigInt(after.sub), BigInt(before.sub) + BigInt(out.total));
  assert.equal(BigInt(after.opd), BigInt(before.opd) + BigInt(out.total));
  assert.equal(Number(after.audit), Number(before.audit) + 1);
});

test('the OPD input closed by TAPD between the read and the write refuses the save (423)', async () => {
  const target = subs[0]!;
  const actor = await operator();
  const ctx = await readLineSaveContext(t.db, t.pemdaId, target.id, body());
  await sql`UPDATE bud_opd_ceiling SET input_mode = 'closed', input_until = NULL
            WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stageId} AND opd_id = ${opdId}`.execute(t.db);
  const before = await state(target.id);
  try {
    await assert.rejects(
      () => createLine(t.db, actor, target.id, body(), { ctx: ctx! }),
      (e: { status?: number }) => e.status === 423,
    );
    assert.deepEqual(await state(target.id), before);
  } finally {
    await sql`UPDATE bud_opd_ceiling SET input_mode = 'window' WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stageId} AND opd_id = ${opdId}`.execute(
      t.db,
    );
  }
});

test('20 concurrent saves across sub kegiatan of one OPD whose ceiling admits 5: exactly 5 saved, the OPD ceiling never exceeded', async () => {
  const lineTotal = BigInt(item.price); // one unit, no PPN
  const cur = await sql<{ planned: string; ceiling: string }>`SELECT planned, ceiling FROM bud_opd_ceiling
    WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stageId} AND opd_id = ${opdId}`.execute(t.db);
  const { planned, ceiling } = cur.rows[0]!;
  const targets = subs.slice(0, 3);
  // room in each sub kegiatan for every save; room in the OPD for exactly five
  await sql`UPDATE bud_sub_kegiatan SET ceiling = planned + ${(lineTotal * 20n).toString()}::bigint
            WHERE pemda_id = ${t.pemdaId} AND id IN (${sql.join(targets.map((s) => s.id))})`.execute(t.db);
  await sql`UPDATE bud_opd_ceiling SET ceiling = planned + ${(lineTotal * 5n).toString()}::bigint
            WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stageId} AND opd_id = ${opdId}`.execute(t.db);
  try {
    const headers = await t.as('dinkes.operator');
    const res = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.server.inject({ method: 'POST', url: url(targets[i % 3]!.id), payload: body('1'), headers }),
      ),
    );
    const codes = res.map((r) => r.statusCode);
    assert.equal(codes.filter((c) => c === 201).length, 5, codes.join(','));
    assert.equal(codes.filter((c) => c === 422).length, 15, codes.join(','));
    for (const r of res.filter((x) => x.statusCode === 422))
      assert.equal(json(r).fields[0].field, 'total', 'the refusal names the total (OPD ceiling)');
    const after = await sql<{ planned: string; ceiling: string; lines: string }>`SELECT c.planned, c.ceiling,
        (SELECT coalesce(sum(total), 0) FROM bud_line l WHERE l.pemda_id = c.pemda_id AND l.stage_id = c.stage_id
           AND l.opd_id = c.opd_id AND l.kind = 'belanja') AS lines
      FROM bud_opd_ceiling c WHERE c.pemda_id = ${t.pemdaId} AND c.stage_id = ${stageId} AND c.opd_id = ${opdId}`.execute(
      t.db,
    );
    const a = after.rows[0]!;
    assert.equal(BigInt(a.planned), BigInt(planned) + lineTotal * 5n);
    assert.equal(BigInt(a.planned), BigInt(a.ceiling), 'exactly full, never over');
    assert.equal(BigInt(a.lines), BigInt(a.planned), 'planned = sum of the OPD expenditure lines');
  } finally {
    await sql`UPDATE bud_opd_ceiling SET ceiling = ${ceiling}::bigint
              WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stageId} AND opd_id = ${opdId}`.execute(t.db);
  }
});
