import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../../../testing/harness.ts';
import { openStage } from '../testing.ts';
import { pdfText } from './testing.ts';
import { REPORTS } from './reports.ts';
import { smallReport } from './engine.ts';

let t: TestContext;
let stageId: number;
const P = '/api/v1/budget/apbd';

before(async () => {
  t = await testApp();
  stageId = (await openStage(t)).id;
});
after(async () => t?.close());

type Row = {
  level: number;
  kind: string;
  key?: string;
  dim?: string;
  code: string;
  name: string;
  heading?: boolean;
  values: string[];
  drill?: Record<string, string | number>;
};

async function get(url: string, user = 'tapd') {
  return t.server.inject({ method: 'GET', url, headers: await t.as(user) });
}
async function report(id: string, query = ''): Promise<{ rows: Row[]; measures: Array<{ key: string }> }> {
  const res = await get(`${P}/stages/${stageId}/reports/${id}${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return json(res);
}
const byKey = (rows: Row[], key: string) => rows.find((r) => r.key === key);

async function sqlTotals() {
  const r = await sql<{ pendapatan: string; belanja: string; fin_in: string; fin_out: string }>`
    SELECT coalesce(sum(total) FILTER (WHERE kind = 'pendapatan'), 0)::text AS pendapatan,
           coalesce(sum(total) FILTER (WHERE kind = 'belanja'), 0)::text AS belanja,
           coalesce(sum(total) FILTER (WHERE account_code LIKE '6.1.%'), 0)::text AS fin_in,
           coalesce(sum(total) FILTER (WHERE account_code LIKE '6.2.%'), 0)::text AS fin_out
      FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stageId}`.execute(t.db);
  return r.rows[0]!;
}

test('Lampiran I (ringkasan APBD): total expenditure is the sum of all expenditure lines; surplus, net financing and SiLPA follow', async () => {
  const s = await sqlTotals();
  const { rows } = await report('perda-1');
  assert.equal(rows.find((r) => r.code === '5')!.values[0], s.belanja);
  assert.equal(byKey(rows, 'total.belanja')!.values[0], s.belanja);
  assert.equal(byKey(rows, 'total.pendapatan')!.values[0], s.pendapatan);
  assert.equal(rows.find((r) => r.code === '6.1')!.values[0], s.fin_in);
  assert.equal(rows.find((r) => r.code === '6.2')!.values[0], s.fin_out);
  const surplus = BigInt(s.pendapatan) - BigInt(s.belanja);
  const net = BigInt(s.fin_in) - BigInt(s.fin_out);
  assert.equal(byKey(rows, 'surplus')!.values[0], surplus.toString());
  assert.equal(byKey(rows, 'financing.net')!.values[0], net.toString());
  assert.equal(byKey(rows, 'silpa')!.values[0], (surplus + net).toString());
  // kelompok rows sum to their akun, jenis rows to their kelompok
  for (const parent of rows.filter((r) => r.kind === 'group')) {
    const kids = rows.filter(
      (r) => r.dim !== undefined && r.level === parent.level + 1 && r.code.startsWith(`${parent.code}.`),
    );
    assert.equal(kids.reduce((a, r) => a + BigInt(r.values[0]!), 0n).toString(), parent.values[0], parent.code);
  }
  // the order of the regulation: revenue, its total, expenditure, its total, surplus, financing, net, SiLPA
  const order = rows.filter((r) => r.key || r.level === 0).map((r) => r.key ?? r.code);
  assert.deepEqual(order, ['4', 'total.pendapatan', '5', 'total.belanja', 'surplus', '6', 'financing.net', 'silpa']);
});

test("every attachment's totals equal the summary's", async () => {
  const sum = (await report('perda-1')).rows;
  const T = (k: string) => byKey(sum, k)!.values[0]!;
  const net = T('financing.net');
  const p2 = (await report('perda-2')).rows;
  assert.deepEqual(byKey(p2, 'grand')!.values, [T('total.pendapatan'), T('total.belanja'), net]);
  for (const id of ['perda-3', 'penjabaran-1', 'penjabaran-2']) {
    const rows = (await report(id)).rows;
    for (const k of ['total.pendapatan', 'total.belanja', 'surplus', 'financing.net', 'silpa'])
      assert.equal(byKey(rows, k)?.values[0], T(k), `${id} ${k}`);
  }
  for (const id of ['perda-4', 'perda-5']) {
    const g = byKey((await report(id)).rows, 'grand')!.values;
    assert.equal(g[4], T('total.belanja'), id);
    assert.equal(
      g
        .slice(0, 4)
        .reduce((a, v) => a + BigInt(v), 0n)
        .toString(),
      T('total.belanja'),
      `${id}: operasi + modal + tidak terduga + transfer`,
    );
  }
  // Lampiran V: every bidang of the demo maps to a function (none left unmapped)
  assert.ok(
    (await report('perda-5')).rows
      .filter((r) => r.level === 0 && r.kind === 'group')
      .every((r) => /^\d{2}$/.test(r.code)),
  );
  // Penjabaran II reaches the sub rincian objek of every expenditure line
  const leafs = (await report('penjabaran-2')).rows.filter((r) => r.kind === 'leaf');
  assert.ok(leafs.every((r) => /^\d\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{4}$/.test(r.code)));
  const lineKeys = await sql<{
    n: number;
  }>`SELECT count(DISTINCT (opd_id, coalesce(sub_kegiatan_code, ''), account_code))::int AS n FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stageId}`.execute(
    t.db,
  );
  assert.ok(
    leafs.length >= lineKeys.rows[0]!.n,
    'a leaf per OPD × sub kegiatan × account (more when an OPD carries several bidang)',
  );
});

test('every figure opens down to the lines it sums', async () => {
  const { rows, measures } = await report('perda-2');
  const acc = ['4', '5', '6'];
  let checked = 0;
  for (const r of rows.filter((x) => x.drill)) {
    for (const [i, a] of acc.entries()) {
      if (measures[i]!.key === 'pembiayaan_netto') continue; // a difference of two sums: 6.1 − 6.2
      const q = new URLSearchParams({
        ...Object.fromEntries(Object.entries(r.drill!).map(([k, v]) => [k === 'opd' ? 'opd_id' : k, String(v)])),
        acc: a,
        limit: '5',
      });
      const d = json(await get(`${P}/stages/${stageId}/lines?${q}`));
      assert.equal(d.total, r.values[i], `${r.code} ${measures[i]!.key}`);
      checked++;
    }
  }
  assert.ok(checked >= 20);
  // a function row of Lampiran V and an account row of Penjabaran I
  const fn = (await report('perda-5')).rows.find((r) => r.code === '07')!;
  assert.equal(json(await get(`${P}/stages/${stageId}/lines?fn=07&acc=5`)).total, fn.values[4]);
  const obj = (await report('penjabaran-1')).rows.find((r) => r.code.length === 9 && r.code.startsWith('5.'))!;
  const d = json(await get(`${P}/stages/${stageId}/lines?acc=${obj.code}&limit=1000`));
  assert.equal(d.total, obj.values[0]);
  assert.equal(d.rows.reduce((a: bigint, l: { total: string }) => a + BigInt(l.total), 0n).toString(), obj.values[0]);
  // the drill-down page lists them
  const page = await t.server.inject({
    method: 'GET',
    url: `/budget/apbd/lines?stage_id=${stageId}&acc=${obj.code}`,
    headers: { ...(await t.session('dprd')).headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(new Intl.NumberFormat('id-ID').format(BigInt(obj.values[0]!))));
});

test('who may read the consolidated APBD', async () => {
  for (const user of ['tapd', 'bappeda', 'dprd', 'inspektorat', 'admin'])
    assert.equal((await get(`${P}/stages/${stageId}/reports/perda-1`, user)).statusCode, 200, user);
  for (const user of ['dinkes.operator', 'dinkes.head'])
    assert.equal((await get(`${P}/stages/${stageId}/reports/perda-1`, user)).statusCode, 403, user);
  assert.equal((await get(`${P}/stages/${stageId}/reports/nope`)).statusCode, 400);
  const html = await t.server.inject({
    method: 'GET',
    url: `/budget/apbd/report/perda-2?stage_id=${stageId}`,
    headers: { ...(await t.session('bappeda')).headers, accept: 'text/html' },
  });
  assert.equal(html.statusCode, 200);
  assert.match(html.body, /RINGKASAN APBD YANG DIKLASIFIKASI MENURUT URUSAN/);
  const index = await t.server.inject({
    method: 'GET',
    url: '/budget/apbd',
    headers: { ...(await t.session('tapd')).headers, accept: 'text/html' },
  });
  assert.equal(index.statusCode, 200);
  for (const r of REPORTS) assert.ok(index.body.includes(`/budget/apbd/report/${r.id}`), r.id);
});

const idr = (v: string) => {
  const b = BigInt(v);
  const s = new Intl.NumberFormat('id-ID').format(b < 0n ? -b : b);
  return b < 0n ? `(${s})` : s;
};

/** The amounts a file prints for an API row: none for a heading (PEMBIAYAAN DAERAH is never a sum). */
const printed = (r: { heading?: boolean; values: string[] }) => (r.heading ? r.values.map(() => '') : r.values);

test('PDF, XLSX and CSV of every attachment open and carry the same rows and totals as the API', async () => {
  for (const def of REPORTS) {
    const { rows } = await report(def.id);
    const totals = rows.filter((r) => r.key);
    assert.ok(totals.length > 0, def.id);
    // CSV: every row, every amount
    const csv = await get(`${P}/stages/${stageId}/reports/${def.id}?format=csv`);
    assert.equal(csv.statusCode, 200, csv.body);
    assert.match(String(csv.headers['content-disposition']), /\.csv"/);
    const recs = parseCsv(csv.body, { bom: true, relax_column_count: true }) as string[][];
    const body = recs.slice(1);
    assert.equal(body.length, rows.length, `${def.id} CSV rows`);
    body.forEach((rec, i) => {
      assert.equal(rec[3], rows[i]!.code);
      assert.deepEqual(rec.slice(-def.measures.length), printed(rows[i]!), `${def.id} CSV row ${i}`);
    });
    // XLSX: the same rows under the heading
    const x = await get(`${P}/stages/${stageId}/reports/${def.id}?format=xlsx`);
    assert.equal(x.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const all: unknown[][] = [];
    ws.eachRow((row) => all.push((row.values as unknown[]).slice(1)));
    const head = all.findIndex((r) => r[0] === 'Kode');
    assert.ok(head > 0, `${def.id} header row`);
    const data = all.slice(head + 1, head + 1 + rows.length);
    data.forEach((rec, i) => {
      assert.equal(String(rec[0] ?? ''), rows[i]!.code);
      if (rows[i]!.heading) {
        // a heading prints no amount (exceljs drops the empty cells at the end of a row)
        assert.ok(!rec.slice(2).some((v) => typeof v === 'number'), `${def.id} XLSX heading row ${i}`);
        return;
      }
      assert.deepEqual(
        rec.slice(-def.measures.length).map((v) => String(v)),
        rows[i]!.values,
        `${def.id} XLSX row ${i}`,
      );
    });
    // PDF: opens, and prints each total in Indonesian format
    const pdf = await get(`${P}/stages/${stageId}/reports/${def.id}?format=pdf`);
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
    assert.ok(pdf.rawPayload.subarray(-8).toString().includes('%%EOF'));
    const text = pdfText(pdf.rawPayload);
    for (const r of totals)
      for (const v of r.values) assert.ok(text.includes(idr(v)), `${def.id} PDF prints ${r.key} ${idr(v)}`);
    // the demo stage is open: every attachment is a draft (signed once adopted: prints.test.ts)
    assert.ok(
      text.some((x) => x.includes('DRAF')),
      `${def.id} DRAF watermark`,
    );
    assert.ok(!text.some((x) => x.includes('BUPATI DEMO')), `${def.id} no signature on a draft`);
    assert.ok(
      text.some((x) => /\bHalaman 1\b/.test(x)),
      `${def.id} page number`,
    );
  }
});

test('reports of few rows are read without a cursor (parallel plans); sub kegiatan and fine account reports stream', () => {
  const small = REPORTS.filter((d) => smallReport(d)).map((d) => d.id);
  assert.ok(small.includes('perda-1'), 'the APBD summary');
  assert.ok(!small.includes('penjabaran-2'), 'Penjabaran II streams');
  for (const d of REPORTS.filter((x) => smallReport(x)))
    assert.ok(
      d.dims.every((k) => !['program', 'kegiatan', 'sub', 'acc9', 'acc12', 'acc17'].includes(k)),
      `${d.id} has no fine dimension`,
    );
});
