import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { openStage, opdIdOf, sub, subsOf } from './testing.ts';
import { pdfCells } from '../../testing/pdf.ts';

let t: TestContext;
let stageId: number;
let dinkes: number;
const P = '/api/v1/budget';

before(async () => {
  t = await testApp();
  stageId = (await openStage(t)).id;
  dinkes = await opdIdOf(t, 'dinkes');
});
after(async () => t?.close());

const idr = (v: string | bigint) => new Intl.NumberFormat('id-ID').format(BigInt(v));

/** The text cells of a (compressed) PDF, read with pdftotext. */
export const pdfText = pdfCells;

async function get(url: string, user = 'dinkes.head') {
  return t.server.inject({ method: 'GET', url, headers: await t.as(user) });
}

async function apiTotals() {
  const opd = json(await get(`${P}/stages/${stageId}/opds/${dinkes}`));
  return {
    belanja: opd.summary.planned as string,
    revenue: opd.summary.revenue as string,
    subs: opd.sub_kegiatan as Array<{ id: number; code: string; planned: string }>,
  };
}

test('the RKA-SKPD XLSX of a demo OPD opens and its totals equal the API totals', async () => {
  const api = await apiTotals();
  const res = await get(`${P}/stages/${stageId}/opds/${dinkes}/rka.xlsx`);
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /spreadsheetml/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const summary = wb.worksheets[0]!;
  const values = new Map<string, unknown>();
  summary.eachRow((row) => values.set(String(row.getCell(1).value).trim(), row.getCell(2).value));
  assert.equal(String(values.get('Belanja')), api.belanja);
  assert.equal(String(values.get('Pendapatan')), api.revenue);
  for (const s of api.subs) {
    const key = [...values.keys()].find((k) => k.startsWith(`${s.code} `));
    assert.ok(key, `sub kegiatan ${s.code} in the summary`);
    assert.equal(String(values.get(key!)), s.planned, s.code);
  }
  // programs (the top of the roll-up) add up to the OPD's expenditure
  const programs = [...values.entries()]
    .filter(([k]) => /^\d\.\d{2}\.\d{2} /.test(k))
    .reduce((a, [, v]) => a + BigInt(String(v)), 0n);
  assert.equal(programs.toString(), api.belanja);
  // the detail sheet ends each sub kegiatan with its JUMLAH; their sum is the OPD's expenditure
  const detail = wb.worksheets[1]!;
  const jumlah: bigint[] = [];
  detail.eachRow((row) => {
    if (row.getCell(2).value === 'JUMLAH') jumlah.push(BigInt(String(row.getCell(7).value)));
  });
  assert.ok(jumlah.length >= api.subs.length);
  assert.equal(
    jumlah
      .slice(0, api.subs.length)
      .reduce((a, b) => a + b, 0n)
      .toString(),
    api.belanja,
  );
});

test('the RKA-SKPD PDF of a demo OPD opens and shows the API totals in Indonesian format', async () => {
  const api = await apiTotals();
  const res = await get(`${P}/stages/${stageId}/opds/${dinkes}/rka.pdf`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/pdf');
  const pdf = res.rawPayload;
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.ok(pdf.subarray(-8).toString().includes('%%EOF'));
  const text = pdfText(pdf);
  assert.ok(text.some((x) => x.includes('RENCANA KERJA DAN ANGGARAN')));
  assert.ok(text.includes(`Rp ${idr(api.belanja)}`), `the expenditure total Rp ${idr(api.belanja)} is printed`);
  assert.ok(text.includes(`Rp ${idr(api.revenue)}`), 'the revenue total is printed');
  for (const s of api.subs) assert.ok(text.includes(idr(s.planned)), `the total of ${s.code} is printed`);
});

test('the RKA of one sub kegiatan, PDF and XLSX, and CSV / JSON of the lines', async () => {
  const s = (await subsOf(t, stageId, dinkes)).find((x) => x.lines > 0)!;
  const detail = await sub(t, s.id);
  const pdf = await get(`${P}/sub-kegiatan/${s.id}/rka.pdf`);
  assert.equal(pdf.statusCode, 200);
  const text = pdfText(pdf.rawPayload);
  assert.ok(text.includes(idr(detail.planned)));
  assert.ok(
    text.some((x) => x.includes(detail.lines[0].name.slice(0, 12))),
    'the lines are printed',
  );
  const xlsx = await get(`${P}/sub-kegiatan/${s.id}/rka.xlsx`);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  let total = '';
  wb.worksheets[1]!.eachRow((row) => {
    if (row.getCell(2).value === 'JUMLAH') total = String(row.getCell(7).value);
  });
  assert.equal(total, detail.planned);

  const csv = await get(`${P}/stages/${stageId}/opds/${dinkes}/lines.csv`);
  assert.equal(csv.statusCode, 200);
  const rows = parseCsv(csv.body, { columns: true, bom: true }) as Array<Record<string, string>>;
  const api = await apiTotals();
  const sum = (kind: string) =>
    rows
      .filter((r) => r.kind === kind)
      .reduce((a, r) => a + BigInt(r.total!), 0n)
      .toString();
  assert.equal(sum('belanja'), api.belanja);
  assert.equal(sum('pendapatan'), api.revenue);
  assert.ok(rows.every((r) => r.line_key && r.account_code));
  const js = json(await get(`${P}/stages/${stageId}/opds/${dinkes}/lines.json`));
  assert.equal(js.rows.length, rows.length);
  // another OPD may not export it
  assert.equal((await get(`${P}/stages/${stageId}/opds/${dinkes}/rka.pdf`, 'disdik.head')).statusCode, 403);
  assert.equal((await get(`${P}/sub-kegiatan/${s.id}/rka.xlsx`, 'disdik.operator')).statusCode, 403);
  assert.equal((await get(`${P}/stages/${stageId}/opds/${dinkes}/lines.csv`, 'dprd')).statusCode, 200);
});
