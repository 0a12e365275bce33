// The ceilings hold under concurrency: 50 saves at once at one sub kegiatan close to its ceiling
// (on PostgreSQL these run concurrently on a pool of connections; on PGlite they queue).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, usingPostgres, type TestContext } from '../../testing/harness.ts';
import { ATK, itemFor, openStage, opdIdOf, sub, subsOf, sumLines } from './testing.ts';

let t: TestContext;
let stageId: number;
let opdId: number;
const P = '/api/v1/budget';

before(async () => {
  t = await testApp();
  stageId = (await openStage(t)).id;
  opdId = await opdIdOf(t, 'disdik');
});
after(async () => t?.close());

test(`50 concurrent saves at a sub kegiatan close to its ceiling never exceed it; every refusal is a 4xx (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, async (ctx) => {
  const target = (await subsOf(t, stageId, opdId)).find((s) => s.status === 'draft' && s.lines > 0)!;
  const item = await itemFor(t, ATK);
  const lineTotal = BigInt(item.price) * 7n;
  const fits = 10n;
  const s0 = await sub(t, target.id);
  const tapd = await t.as('tapd');
  // make room in the OPD ceiling, then set the sub kegiatan's ceiling so that exactly 10 lines fit
  const opd = json(
    await t.server.inject({ method: 'GET', url: `${P}/stages/${stageId}/opds/${opdId}`, headers: tapd }),
  );
  const raise = await t.server.inject({
    method: 'PUT',
    url: `${P}/stages/${stageId}/opds/${opdId}/ceiling`,
    headers: tapd,
    payload: { ceiling: (BigInt(opd.ceiling.ceiling) + 100n * lineTotal).toString() },
  });
  assert.equal(raise.statusCode, 200, raise.body);
  const ceiling = BigInt(s0.planned) + fits * lineTotal + lineTotal - 1n;
  const set = await t.server.inject({
    method: 'PUT',
    url: `${P}/stages/${stageId}/opds/${opdId}/sub-kegiatan-ceiling`,
    headers: tapd,
    payload: { code: target.code, ceiling: ceiling.toString() },
  });
  assert.equal(set.statusCode, 200, set.body);

  const headers = await t.as('disdik.operator');
  const payload = { account_code: ATK, item_id: item.itemId, factors: [{ v: '7', u: 'Buah' }] };
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: 50 }, () =>
      t.server.inject({ method: 'POST', url: `${P}/sub-kegiatan/${target.id}/lines`, headers, payload }),
    ),
  );
  const ms = Date.now() - started;
  const codes = results.map((r) => r.statusCode);
  const created = codes.filter((c) => c === 201).length;
  const refused = results.filter((r) => r.statusCode >= 400 && r.statusCode < 500);
  assert.equal(created + refused.length, 50, `every save answered 201 or 4xx: ${JSON.stringify(codes)}`);
  assert.equal(created, Number(fits), 'exactly the lines that fit were saved');
  for (const r of refused) {
    assert.equal(r.statusCode, 422, r.body);
    assert.equal(json(r).error, 'rule');
    assert.match(json(r).message, /pagu/);
  }
  const s1 = await sub(t, target.id);
  const sum = await sumLines(t, target.id);
  assert.ok(sum <= ceiling, `planned ${sum} ≤ ceiling ${ceiling}`);
  assert.equal(sum, BigInt(s0.planned) + fits * lineTotal);
  assert.equal(BigInt(s1.planned), sum, 'the maintained total equals the sum of the lines');
  // the OPD's maintained total too
  const opdRow = await t.db
    .selectFrom('bud_opd_ceiling')
    .select(['planned', 'ceiling'])
    .where('pemda_id', '=', t.pemdaId)
    .where('stage_id', '=', stageId)
    .where('opd_id', '=', opdId)
    .executeTakeFirstOrThrow();
  const opdSum = await t.db
    .selectFrom('bud_line')
    .select((eb) => eb.fn.sum<string>('total').as('s'))
    .where('pemda_id', '=', t.pemdaId)
    .where('stage_id', '=', stageId)
    .where('opd_id', '=', opdId)
    .where('kind', '=', 'belanja')
    .executeTakeFirstOrThrow();
  assert.equal(opdRow.planned, opdSum.s);
  assert.ok(BigInt(opdRow.planned) <= BigInt(opdRow.ceiling));
  ctx.diagnostic(`50 concurrent saves: ${created} saved, ${refused.length} refused in ${ms} ms`);
});

test('50 concurrent updates of one line with the same version: one wins, the others get 409', async () => {
  const target = (await subsOf(t, stageId, opdId)).find((s) => s.status === 'draft' && s.lines > 0)!;
  const line = (await sub(t, target.id)).lines.find((l: { travel_id: number | null }) => l.travel_id === null);
  const headers = await t.as('disdik.operator');
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      t.server.inject({
        method: 'PATCH',
        url: `${P}/lines/${line.id}`,
        headers,
        payload: { version: line.version, group_header: `versi ${i}` },
      }),
    ),
  );
  const codes = results.map((r) => r.statusCode);
  assert.equal(codes.filter((c) => c === 200).length, 1, JSON.stringify(codes));
  assert.equal(codes.filter((c) => c === 409).length, 49);
  const now = await t.db
    .selectFrom('bud_line')
    .select(['version', 'group_header'])
    .where('pemda_id', '=', t.pemdaId)
    .where('id', '=', line.id)
    .executeTakeFirstOrThrow();
  assert.equal(now.version, line.version + 1);
  const winner = results.find((r) => r.statusCode === 200)!;
  assert.equal(json(winner).group_header, now.group_header);
});

test('concurrent adds, changes and removals across the sub kegiatan of an OPD keep every maintained total equal to its lines', async () => {
  const subs = (await subsOf(t, stageId, opdId)).filter((s) => s.status === 'draft' || s.status === 'returned');
  assert.ok(subs.length >= 2);
  const item = await itemFor(t, ATK);
  const headers = await t.as('disdik.operator');
  const existing = (
    await Promise.all(
      subs.map(
        async (s) => (await sub(t, s.id)).lines as Array<{ id: string; version: number; travel_id: number | null }>,
      ),
    )
  )
    .flat()
    .filter((l) => l.travel_id === null)
    .slice(0, 10);
  const ops = [
    ...Array.from({ length: 30 }, (_, i) =>
      t.server.inject({
        method: 'POST',
        url: `${P}/sub-kegiatan/${subs[i % subs.length]!.id}/lines`,
        headers,
        payload: { account_code: ATK, item_id: item.itemId, factors: [{ v: String(1 + (i % 3)), u: 'Buah' }] },
      }),
    ),
    ...existing.map((l, i) =>
      i % 2
        ? t.server.inject({ method: 'DELETE', url: `${P}/lines/${l.id}?version=${l.version}`, headers })
        : t.server.inject({
            method: 'PATCH',
            url: `${P}/lines/${l.id}`,
            headers,
            payload: { version: l.version, factors: [{ v: '2', u: 'Buah' }] },
          }),
    ),
  ];
  const results = await Promise.all(ops);
  for (const r of results) assert.ok(r.statusCode < 500, r.body);
  assert.ok(results.filter((r) => r.statusCode === 201).length >= 10, 'adds went through');
  assert.ok(
    results.some((r) => r.statusCode === 204) && results.some((r) => r.statusCode === 200),
    'changes and removals too',
  );
  for (const s of subs) {
    const row = await sub(t, s.id);
    assert.equal(BigInt(row.planned), await sumLines(t, s.id), `sub kegiatan ${s.code}: planned = sum of lines`);
    assert.ok(BigInt(row.planned) <= BigInt(row.ceiling));
  }
  const opdRow = await t.db
    .selectFrom('bud_opd_ceiling')
    .select(['planned', 'ceiling'])
    .where('pemda_id', '=', t.pemdaId)
    .where('stage_id', '=', stageId)
    .where('opd_id', '=', opdId)
    .executeTakeFirstOrThrow();
  const opdSum = await t.db
    .selectFrom('bud_line')
    .select((eb) => eb.fn.sum<string>('total').as('s'))
    .where('pemda_id', '=', t.pemdaId)
    .where('stage_id', '=', stageId)
    .where('opd_id', '=', opdId)
    .where('kind', '=', 'belanja')
    .executeTakeFirstOrThrow();
  assert.equal(opdRow.planned, opdSum.s);
  assert.ok(BigInt(opdRow.planned) <= BigInt(opdRow.ceiling));
});
