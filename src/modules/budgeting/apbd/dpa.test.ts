import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../../../testing/harness.ts';
import { openStage, opdIdOf } from '../testing.ts';
import { pdfText } from './testing.ts';
import { spread } from './dpa.service.ts';

let t: TestContext;
let murni: { id: number };
let dinkes: number;
const P = '/api/v1/budget';
const A = '/api/v1/budget/apbd';

before(async () => {
  t = await testApp();
  murni = await openStage(t);
  dinkes = await opdIdOf(t, 'dinkes');
});
after(async () => t?.close());

const req = async (method: 'GET' | 'POST' | 'PUT', url: string, user: string, payload?: unknown) =>
  t.server.inject({ method, url, headers: await t.as(user), payload: payload as never });

test('the spread of a budget over the months of execution sums to it exactly', () => {
  assert.deepEqual(spread(1000n, 1, 3).slice(0, 4), [333n, 333n, 334n, 0n]);
  assert.equal(
    spread(999_999_999_999n, 2, 12).reduce((a, b) => a + b, 0n),
    999_999_999_999n,
  );
});

test('DPA: produced by TAPD from a closed stage; the anggaran kas must sum to the budget; an approved DPA is locked', async () => {
  // only from a closed stage, only by TAPD
  assert.equal((await req('POST', `${A}/stages/${murni.id}/dpa`, 'tapd')).statusCode, 422);
  assert.equal((await req('POST', `${P}/stages/${murni.id}/close`, 'tapd')).statusCode, 200);
  assert.equal((await req('POST', `${A}/stages/${murni.id}/dpa`, 'dinkes.head')).statusCode, 403);
  const produced = await req('POST', `${A}/stages/${murni.id}/dpa`, 'tapd');
  assert.equal(produced.statusCode, 201, produced.body);
  const dpas = json(produced).rows as Array<{
    id: number;
    opd_id: number;
    number: string;
    budget: string;
    status: string;
  }>;
  const withLines = await sql<{
    n: number;
  }>`SELECT count(DISTINCT opd_id)::int AS n FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${murni.id} AND kind = 'belanja'`.execute(
    t.db,
  );
  assert.equal(dpas.length, withLines.rows[0]!.n);
  const dpa = dpas.find((d) => d.opd_id === dinkes)!;
  assert.equal(dpa.number, 'DPA/A.1/1.02.0.00.0.00.01.0000/001/2027');
  assert.equal(dpa.status, 'draft');
  assert.equal(json(await req('POST', `${A}/stages/${murni.id}/dpa`, 'tapd')).rows.length, 0, 'idempotent');

  // the OPD fills its cash plan
  const view = await req('GET', `${A}/dpa/${dpa.id}`, 'dinkes.operator');
  assert.equal(view.statusCode, 200, view.body);
  const subs = json(view).sub_kegiatan as Array<{
    sub_kegiatan_id: number;
    code: string;
    budget: string;
    complete: boolean;
  }>;
  const budgeted = subs.filter((s) => s.budget !== '0');
  assert.equal(
    budgeted.reduce((a, s) => a + BigInt(s.budget), 0n).toString(),
    dpa.budget,
    'the DPA budget is the sum of its sub kegiatan',
  );
  assert.equal((await req('GET', `${A}/dpa/${dpa.id}`, 'disdik.operator')).statusCode, 403);
  const first = budgeted[0]!;
  const budget = BigInt(first.budget);
  const months = Array.from({ length: 12 }, (_, i) => (i < 11 ? (budget / 12n).toString() : '0'));
  const short = await req('PUT', `${A}/dpa/${dpa.id}/cash-plan/${first.sub_kegiatan_id}`, 'dinkes.operator', {
    months,
  });
  assert.equal(short.statusCode, 422, short.body);
  assert.equal(json(short).details.difference, (budget - (budget / 12n) * 11n).toString());
  assert.match(json(short).message, /harus sama dengan anggaran sub kegiatan/);
  months[11] = (budget - (budget / 12n) * 11n).toString();
  assert.equal(
    (await req('PUT', `${A}/dpa/${dpa.id}/cash-plan/${first.sub_kegiatan_id}`, 'disdik.operator', { months }))
      .statusCode,
    403,
  );
  assert.equal(
    (await req('PUT', `${A}/dpa/${dpa.id}/cash-plan/${first.sub_kegiatan_id}`, 'dinkes.head', { months })).statusCode,
    403,
  );
  const ok = await req('PUT', `${A}/dpa/${dpa.id}/cash-plan/${first.sub_kegiatan_id}`, 'dinkes.operator', { months });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(json(ok).complete, true);

  // not complete yet: the head cannot submit
  const early = await req('POST', `${A}/dpa/${dpa.id}/submit`, 'dinkes.head');
  assert.equal(early.statusCode, 422, early.body);
  assert.equal(json(early).details.incomplete.length, budgeted.length - 1);
  for (const s of budgeted.slice(1))
    assert.equal(
      (await req('PUT', `${A}/dpa/${dpa.id}/cash-plan/${s.sub_kegiatan_id}`, 'dinkes.operator', { spread: true }))
        .statusCode,
      200,
      s.code,
    );
  assert.ok(
    (json(await req('GET', `${A}/dpa/${dpa.id}`, 'tapd')).sub_kegiatan as Array<{ complete: boolean }>).every(
      (s) => s.complete,
    ),
  );
  // TAPD approves only what was submitted
  assert.equal((await req('POST', `${A}/dpa/${dpa.id}/approve`, 'tapd')).statusCode, 422);
  assert.equal((await req('POST', `${A}/dpa/${dpa.id}/submit`, 'dinkes.head')).statusCode, 200);
  assert.equal(
    (await req('PUT', `${A}/dpa/${dpa.id}/cash-plan/${first.sub_kegiatan_id}`, 'dinkes.operator', { months }))
      .statusCode,
    423,
    'submitted: no edits',
  );
  assert.equal((await req('POST', `${A}/dpa/${dpa.id}/approve`, 'dinkes.head')).statusCode, 403);
  const approved = await req('POST', `${A}/dpa/${dpa.id}/approve`, 'tapd');
  assert.equal(approved.statusCode, 200, approved.body);
  assert.equal(json(approved).status, 'approved');
  // an approved DPA cannot be edited, returned or re-approved
  const edit = await req('PUT', `${A}/dpa/${dpa.id}/cash-plan/${first.sub_kegiatan_id}`, 'dinkes.operator', {
    spread: true,
  });
  assert.equal(edit.statusCode, 423);
  assert.match(json(edit).message, /sudah disahkan/);
  assert.equal((await req('POST', `${A}/dpa/${dpa.id}/return`, 'tapd')).statusCode, 423);
  // audited
  const audit = await sql<{
    action: string;
    n: number;
  }>`SELECT action, count(*)::int AS n FROM core_audit_log WHERE pemda_id = ${t.pemdaId} AND entity IN ('bud_dpa', 'bud_cash_plan') GROUP BY action ORDER BY action`.execute(
    t.db,
  );
  const actions = Object.fromEntries(audit.rows.map((r) => [r.action, r.n]));
  assert.equal(actions.cash_plan, budgeted.length);
  assert.equal(actions.approve, 1);
  assert.equal(actions.submit, 1);
  assert.ok(actions.create! >= dpas.length);

  // the DPA document: PDF, XLSX, CSV carry the budget and the cash plan
  const csv = await req('GET', `${A}/dpa/${dpa.id}/document?format=csv`, 'dinkes.head');
  assert.equal(csv.statusCode, 200, csv.body);
  const rows = parseCsv(csv.body, { bom: true }) as string[][];
  const grand = rows.find((r) => r[2] === 'grand')!;
  assert.equal(grand[5], dpa.budget);
  assert.equal(
    grand
      .slice(6)
      .reduce((a, v) => a + BigInt(v), 0n)
      .toString(),
    dpa.budget,
    'the months sum to the budget',
  );
  const x = await req('GET', `${A}/dpa/${dpa.id}/document?format=xlsx`, 'dinkes.head');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
  let found = false;
  wb.worksheets[0]!.eachRow((row) => {
    if (row.getCell(2).value === 'JUMLAH') found = String(row.getCell(3).value) === dpa.budget;
  });
  assert.ok(found, 'XLSX total');
  const pdf = await req('GET', `${A}/dpa/${dpa.id}/document?format=pdf`, 'dinkes.head');
  const text = pdfText(pdf.rawPayload);
  assert.ok(text.includes(new Intl.NumberFormat('id-ID').format(BigInt(dpa.budget))));
  assert.ok(text.some((s) => s.includes('DPA/A.1/1.02.0.00.0.00.01.0000/001/2027')));
  assert.equal((await req('GET', `${A}/dpa/${dpa.id}/document?format=pdf`, 'disdik.head')).statusCode, 403);

  // pages: the OPD's DPA page and the form post
  const s = await t.session('dinkes.operator');
  const other = dpas.find((d) => d.opd_id !== dinkes)!;
  const page = await t.server.inject({
    method: 'GET',
    url: `/budget/apbd/dpa/${dpa.id}`,
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('Disahkan'));
  assert.equal(
    (
      await t.server.inject({
        method: 'GET',
        url: `/budget/apbd/dpa/${other.id}`,
        headers: { ...s.headers, accept: 'text/html' },
      })
    ).statusCode,
    403,
  );
});
