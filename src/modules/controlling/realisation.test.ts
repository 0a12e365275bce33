import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { dpaBudgets, EXECUTED_YEAR, type DpaBudgetRow } from '../budgeting/index.ts';
import { listOpds } from '../master-data/index.ts';

let t: TestContext;
let dinkes: { id: number; code: string };
let disdik: { id: number; code: string };
let row: DpaBudgetRow;
let row2: DpaBudgetRow;
const Y = EXECUTED_YEAR;
const C = '/api/v1/controlling';

before(async () => {
  t = await testApp();
  const opds = await listOpds(t.db, t.pemdaId);
  dinkes = opds.find((o) => o.shortName === 'dinkes')!;
  disdik = opds.find((o) => o.shortName === 'disdik')!;
  const budgets = await dpaBudgets(t.db, t.pemdaId, Y, dinkes.id);
  [row, row2] = budgets.sort((a, b) => Number(BigInt(b.budget) - BigInt(a.budget))) as [DpaBudgetRow, DpaBudgetRow];
});
after(async () => t?.close());

const count = async () =>
  Number(
    (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM ctl_realisation WHERE pemda_id = ${t.pemdaId}`.execute(
        t.db,
      )
    ).rows[0]!.n,
  );
const realisedOf = async (r: DpaBudgetRow) =>
  BigInt(
    (
      await sql<{ s: string }>`SELECT coalesce(sum(amount), 0)::text AS s FROM ctl_realisation
        WHERE pemda_id = ${t.pemdaId} AND year = ${Y} AND opd_id = ${r.opd_id} AND sub_kegiatan_code = ${r.sub_kegiatan_code} AND account_code = ${r.account_code}`.execute(
        t.db,
      )
    ).rows[0]!.s,
  );

const HEAD = 'nomor_sp2d,tanggal,opd,sub_kegiatan,akun,nilai,penerima,uraian';
const line = (n: string, amount: string | bigint | number, r = row, opd = dinkes.code, date = `${Y}-11-20`) =>
  [n, date, opd, r.sub_kegiatan_code, r.account_code, String(amount), 'CV Uji', 'uji impor'].join(',');
const upload = async (csv: string, user = 'tapd', lang = 'id') =>
  t.server.inject({
    method: 'POST',
    url: `${C}/realisation/import?year=${Y}`,
    headers: { ...(await t.as(user)), 'content-type': 'text/csv', 'accept-language': lang },
    payload: csv,
  });

test('the demo has an executed year with realisation, ranked absorption, months, programs and every kind of warning', async () => {
  const res = await t.server.inject({
    method: 'GET',
    url: `${C}/dashboard?year=${Y}&month=11`,
    headers: await t.as('bappeda'),
  });
  assert.equal(res.statusCode, 200, res.body);
  const d = json(res);
  assert.ok(d.byOpd.length >= 5, 'several OPD');
  for (let i = 1; i < d.byOpd.length; i++)
    assert.ok(d.byOpd[i - 1].financial_pct >= d.byOpd[i].financial_pct, 'ranked');
  assert.equal(d.byMonth.length, 12);
  assert.ok(
    d.byMonth.filter((m: { realised: string }) => m.realised !== '0').length >= 6,
    'several months of realisation',
  );
  const sumOpd = d.byOpd.reduce((s: bigint, f: { realised: string }) => s + BigInt(f.realised), 0n);
  assert.equal(sumOpd.toString(), d.total.realised, 'the OPD rows add up to the total');
  const kinds = new Set(d.warnings.map((w: { kind: string }) => w.kind));
  for (const k of ['under_absorption', 'physical_gap', 'no_report']) assert.ok(kinds.has(k), `a ${k} warning`);
  // the OPD sees its own only
  const own = json(
    await t.server.inject({ method: 'GET', url: `${C}/dashboard?year=${Y}`, headers: await t.as('dinkes.head') }),
  );
  assert.deepEqual(
    own.byOpd.map((f: { opd_id: number }) => f.opd_id),
    [dinkes.id],
  );
  const other = await t.server.inject({
    method: 'GET',
    url: `${C}/dashboard?year=${Y}&opd_id=${disdik.id}`,
    headers: await t.as('dinkes.head'),
  });
  assert.equal(other.statusCode, 403);
  // the page renders every chart as a table
  const page = await t.server.inject({
    method: 'GET',
    url: `/controlling?year=${Y}&month=11`,
    headers: (await t.session('tapd')).headers,
  });
  assert.equal(page.statusCode, 200);
  for (const id of ['by-opd', 'by-month', 'by-program', 'warnings-table'])
    assert.match(page.body, new RegExp(`id="${id}"`));
  assert.match(page.body, /<meter /);
});

test('SP2D import: all or nothing; the same file twice adds nothing; above the DPA refused with its row', async () => {
  const before0 = await count();
  const realised = await realisedOf(row);
  const room = BigInt(row.budget) - realised;
  assert.ok(room > 2_000_000n, 'the demo leaves room in the largest account');
  const csv = [HEAD, line('T-001/SP2D/2026', '1.000.000'), line('T-002/SP2D/2026', 500000)].join('\n');
  const first = await upload(csv);
  assert.equal(first.statusCode, 201, first.body);
  assert.equal(json(first).added, 2);
  assert.equal(json(first).amount, '1500000');
  assert.equal(await count(), before0 + 2);
  const again = await upload(csv);
  assert.equal(again.statusCode, 200, again.body);
  assert.deepEqual([json(again).added, json(again).skipped], [0, 2]);
  assert.equal(await count(), before0 + 2, 'importing the same file twice adds nothing');

  // a row that takes the account past its DPA amount: refused with row and reason, nothing written
  const over = room - 1_500_000n + 1n;
  const bad = [HEAD, line('T-003/SP2D/2026', 1000), line('T-004/SP2D/2026', over)].join('\n');
  const refused = await upload(bad);
  assert.equal(refused.statusCode, 422, refused.body);
  const f = json(refused).fields;
  assert.equal(f.length, 1);
  assert.equal(f[0].row, 2);
  assert.equal(f[0].field, 'nilai');
  assert.match(f[0].message, /melebihi pagu DPA/);
  assert.equal(await count(), before0 + 2, 'the valid row of a refused file is not written either');
  const en = await upload(bad, 'tapd', 'en');
  assert.match(json(en).fields[0].message, /exceeds the DPA amount/);
  // exactly up to the DPA amount is accepted
  const exact = await upload([HEAD, line('T-005/SP2D/2026', over - 1n)].join('\n'));
  assert.equal(exact.statusCode, 201, exact.body);
  assert.equal(await realisedOf(row), BigInt(row.budget));
  const more = await upload([HEAD, line('T-006/SP2D/2026', 1)].join('\n'));
  assert.equal(more.statusCode, 422);
});

test('SP2D import: bad rows are named by row and column; a known number with other content is refused', async () => {
  const before0 = await count();
  const csv = [
    HEAD,
    line('T-010/SP2D/2026', 'dua ribu'),
    line('T-011/SP2D/2026', 1000, row, '9.99.9.99.9.99.99.9999'),
    line('T-012/SP2D/2026', 1000, row, dinkes.code, `${Y - 1}-12-31`),
    line('T-013/SP2D/2026', 1000, { ...row, account_code: '5.1.02.99.99.9999' }),
    line('T-001/SP2D/2026', 999),
    line('T-014/SP2D/2026', 1000),
    line('T-014/SP2D/2026', 1000),
  ].join('\n');
  const res = await upload(csv);
  assert.equal(res.statusCode, 422, res.body);
  const fields = json(res).fields.map((x: { row: number; field: string }) => `${x.row}:${x.field}`);
  for (const want of ['1:nilai', '2:opd', '3:tanggal']) assert.ok(fields.includes(want), `${want} in ${fields}`);
  assert.equal(await count(), before0);
  const res2 = await upload(
    [
      HEAD,
      line('T-013/SP2D/2026', 1000, { ...row, account_code: '5.1.02.99.99.9999' }),
      line('T-001/SP2D/2026', 999),
      line('T-014/SP2D/2026', 1000, row2),
      line('T-014/SP2D/2026', 1000, row2),
    ].join('\n'),
  );
  const f2 = json(res2).fields.map((x: { row: number; field: string }) => `${x.row}:${x.field}`);
  assert.deepEqual(f2, ['1:akun', '2:nomor_sp2d', '4:nomor_sp2d']);
  const missing = await upload('nomor_sp2d,tanggal\nX,2026-01-01');
  assert.equal(missing.statusCode, 422);
  assert.ok(json(missing).fields.some((x: { row: number; field: string }) => x.row === 0 && x.field === 'nilai'));
  assert.equal(await count(), before0);
});

test('manual entry: checked like an import row, audited; an OPD records only its own', async () => {
  const small = (await dpaBudgets(t.db, t.pemdaId, Y, disdik.id))[0]!;
  const body = {
    year: Y,
    sp2d_number: 'M-001/SP2D/2026',
    date: '05/11/2026',
    opd: disdik.code,
    sub_kegiatan: small.sub_kegiatan_code,
    account: small.account_code,
    amount: '1.000',
    payee: 'Toko Uji',
  };
  const post = async (user: string, b: object) =>
    t.server.inject({ method: 'POST', url: `${C}/realisation`, headers: await t.as(user), payload: b });
  assert.equal((await post('dinkes.operator', body)).statusCode, 422, 'another OPD');
  const ok = await post('disdik.operator', body);
  assert.equal(ok.statusCode, 201, ok.body);
  const dup = await post('tapd', body);
  assert.equal(dup.statusCode, 422);
  assert.equal(json(dup).fields[0].field, 'sp2d_number');
  assert.equal((await post('bappeda', { ...body, sp2d_number: 'M-002' })).statusCode, 403);
  const audit = await t.db
    .selectFrom('core_audit_log')
    .select(['action', 'entity'])
    .where('pemda_id', '=', t.pemdaId)
    .where('entity', '=', 'ctl_realisation')
    .execute();
  assert.ok(audit.some((a) => a.action === 'create'));
  assert.ok(audit.some((a) => a.action === 'import'));
  // the OPD lists its own realisation only
  const mine = json(
    await t.server.inject({ method: 'GET', url: `${C}/realisation?year=${Y}`, headers: await t.as('disdik.head') }),
  );
  assert.ok(mine.rows.length > 0);
  assert.ok(mine.rows.every((r: { opd_id: number }) => r.opd_id === disdik.id));
});

test('physical progress: the OPD enters its own; cumulative percent never falls', async () => {
  const sub = (await dpaBudgets(t.db, t.pemdaId, Y, dinkes.id))[0]!.sub_kegiatan_code;
  const put = async (user: string, b: object) =>
    t.server.inject({ method: 'PUT', url: `${C}/progress`, headers: await t.as(user), payload: b });
  const base = { year: Y, opd_id: dinkes.id, sub_kegiatan_code: sub, month: 12 };
  const ok = await put('dinkes.operator', { ...base, percent: '99,5', note: 'hampir selesai' });
  assert.equal(ok.statusCode, 200, ok.body);
  const down = await put('dinkes.operator', { ...base, month: 12, percent: '1' });
  assert.equal(down.statusCode, 422, down.body);
  assert.equal((await put('dinkes.operator', { ...base, percent: '101' })).statusCode, 400);
  assert.equal((await put('disdik.operator', { ...base, percent: '50' })).statusCode, 403);
  assert.equal(
    (await put('dinkes.operator', { ...base, sub_kegiatan_code: '9.99.99.2.99.9999', percent: '5' })).statusCode,
    422,
  );
  const rows = json(
    await t.server.inject({
      method: 'GET',
      url: `${C}/sub-kegiatan?year=${Y}&month=12`,
      headers: await t.as('dinkes.head'),
    }),
  ).rows;
  assert.equal(rows.find((r: { sub_kegiatan_code: string }) => r.sub_kegiatan_code === sub).physical_pct, 99.5);
});
