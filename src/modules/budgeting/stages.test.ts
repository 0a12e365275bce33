import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { ATK, itemFor, openStage, opdIdOf, sub, subsOf } from './testing.ts';

let t: TestContext;
let murni: { id: number; year: number };
let dinkes: number;
const P = '/api/v1/budget';

before(async () => {
  t = await testApp();
  murni = await openStage(t);
  dinkes = await opdIdOf(t, 'dinkes');
});
after(async () => t?.close());

const totalsOf = async (stageId: number) =>
  (
    await sql<{
      opd_id: number;
      n: number;
      total: string;
    }>`SELECT opd_id, count(*)::int AS n, sum(total)::text AS total FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stageId} GROUP BY opd_id ORDER BY opd_id`.execute(
      t.db,
    )
  ).rows;

test('the demo year: KUA-PPAS closed, murni open with a window around now, ceilings for every OPD', async () => {
  const res = json(
    await t.server.inject({ method: 'GET', url: `${P}/stages?year=2027`, headers: await t.as('bappeda') }),
  );
  assert.deepEqual(
    res.stages.map((s: { kind: string; status: string }) => `${s.kind}:${s.status}`),
    ['kua_ppas:closed', 'murni:open'],
  );
  assert.equal(res.stages[1].input_open, true);
  const opds = json(
    await t.server.inject({ method: 'GET', url: `${P}/stages/${murni.id}/opds`, headers: await t.as('dprd') }),
  ).rows;
  const allOpds = await t.db
    .selectFrom('md_organisation')
    .select('id')
    .where('pemda_id', '=', t.pemdaId)
    .where('kind', '=', 'opd')
    .execute();
  assert.equal(opds.length, allOpds.length, 'a ceiling row for every OPD');
  const withRka = opds.filter((o: { lines: number }) => o.lines > 50);
  assert.ok(withRka.length >= 5, `${withRka.length} OPD with a full RKA`);
  assert.ok(opds.reduce((s: number, o: { lines: number }) => s + o.lines, 0) >= 500, 'hundreds of lines');
  for (const o of opds) assert.ok(BigInt(o.planned) <= BigInt(o.ceiling), `OPD ${o.opd_id} within its ceiling`);
  for (const st of ['draft', 'submitted', 'returned', 'approved'])
    assert.ok(
      opds.some((o: Record<string, number>) => o[st]! > 0),
      `some sub kegiatan ${st}`,
    );
});

test('only TAPD manages stages; one stage open at a time', async () => {
  for (const user of ['dinkes.operator', 'dinkes.head', 'bappeda', 'admin', 'dprd']) {
    assert.equal(
      (await t.server.inject({ method: 'POST', url: `${P}/stages/${murni.id}/close`, headers: await t.as(user) }))
        .statusCode,
      403,
      user,
    );
  }
  const win = {
    input_opens_at: new Date().toISOString(),
    input_closes_at: new Date(Date.now() + 86400_000).toISOString(),
  };
  const year = await t.server.inject({
    method: 'POST',
    url: `${P}/years`,
    headers: await t.as('tapd'),
    payload: { year: 2028, ...win },
  });
  assert.equal(year.statusCode, 422, year.body);
  assert.match(json(year).message, /masih ada tahapan yang terbuka/i);
  const next = await t.server.inject({
    method: 'POST',
    url: `${P}/stages`,
    headers: await t.as('tapd'),
    payload: { year: 2027, kind: 'pergeseran', ...win },
  });
  assert.equal(next.statusCode, 422);
});

test('closing freezes a stage; the next stage starts as a line-by-line copy; the closed one stays as it was', async () => {
  const tapd = await t.as('tapd');
  const before = await totalsOf(murni.id);
  const closed = await t.server.inject({ method: 'POST', url: `${P}/stages/${murni.id}/close`, headers: tapd });
  assert.equal(closed.statusCode, 200, closed.body);
  assert.equal(json(closed).status, 'closed');
  // nothing is written into a closed stage
  const s = (await subsOf(t, murni.id, dinkes)).find((x) => x.status === 'draft' && x.lines > 0)!;
  const item = await itemFor(t, ATK);
  const refused = await t.server.inject({
    method: 'POST',
    url: `${P}/sub-kegiatan/${s.id}/lines`,
    headers: await t.as('dinkes.operator'),
    payload: { account_code: ATK, item_id: item.itemId, factors: [{ v: '1', u: 'Buah' }] },
  });
  assert.equal(refused.statusCode, 423, refused.body);
  const ceil = await t.server.inject({
    method: 'PUT',
    url: `${P}/stages/${murni.id}/opds/${dinkes}/ceiling`,
    headers: tapd,
    payload: { ceiling: '1' },
  });
  assert.equal(ceil.statusCode, 423);
  // the next stage, a copy
  const win = {
    input_opens_at: new Date(Date.now() - 3600_000).toISOString(),
    input_closes_at: new Date(Date.now() + 7 * 86400_000).toISOString(),
  };
  const opened = await t.server.inject({
    method: 'POST',
    url: `${P}/stages`,
    headers: tapd,
    payload: { year: 2027, kind: 'pergeseran', ...win },
  });
  assert.equal(opened.statusCode, 201, opened.body);
  const shift = json(opened);
  assert.equal(shift.name, 'Pergeseran 1 APBD 2027');
  assert.equal(shift.source_stage_id, murni.id);
  assert.equal(
    shift.copied.lines,
    before.reduce((a, r) => a + r.n, 0),
  );
  assert.deepEqual(await totalsOf(shift.id), before, 'same totals per OPD');
  // line by line: same key, pointing to its origin, same amounts
  const pairs = await sql<{ same: boolean }>`
    SELECT (n.line_key = o.line_key AND n.total = o.total AND n.account_code = o.account_code AND n.opd_id = o.opd_id
            AND n.sub_kegiatan_code IS NOT DISTINCT FROM o.sub_kegiatan_code) AS same
      FROM bud_line n JOIN bud_line o ON o.pemda_id = n.pemda_id AND o.id = n.origin_line_id
     WHERE n.pemda_id = ${t.pemdaId} AND n.stage_id = ${shift.id} AND o.stage_id = ${murni.id}`.execute(t.db);
  assert.equal(pairs.rows.length, shift.copied.lines);
  assert.ok(pairs.rows.every((r) => r.same));
  // the OPD writes in the new stage; the closed stage is unchanged
  const s2 = (await subsOf(t, shift.id, dinkes)).find((x) => x.code === s.code)!;
  assert.equal(s2.status, 'draft');
  const add = await t.server.inject({
    method: 'POST',
    url: `${P}/sub-kegiatan/${s2.id}/lines`,
    headers: await t.as('dinkes.operator'),
    payload: { account_code: ATK, item_id: item.itemId, factors: [{ v: '1', u: 'Buah' }] },
  });
  assert.equal(add.statusCode, 201, add.body);
  assert.deepEqual(await totalsOf(murni.id), before);
  assert.equal((await sub(t, s.id)).planned, s.planned);
  // trips were copied with their lines
  const trips = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${shift.id} AND travel_id IS NOT NULL`.execute(
    t.db,
  );
  const tripsBefore = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${murni.id} AND travel_id IS NOT NULL`.execute(
    t.db,
  );
  assert.equal(trips.rows[0]!.n, tripsBefore.rows[0]!.n);
  // perubahan once murni exists, after the open stage is closed
  assert.equal(
    (
      await t.server.inject({
        method: 'POST',
        url: `${P}/stages`,
        headers: tapd,
        payload: { year: 2027, kind: 'murni', ...win },
      })
    ).statusCode,
    422,
  );
});
