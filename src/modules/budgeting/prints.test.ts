// The official prints rendered to PNG (issue #11): an RKA-SKPD of one sub kegiatan and a DRAF Perda
// Lampiran I. Their text is read with pdftotext and their first page rendered with pdftoppm
// (poppler-utils). The PNGs go to a temporary folder; `npm run docs:prints` (PADU_DOCS_PRINTS=1)
// writes them to docs/prints/, where docs/budgeting.md shows them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { pdfFirstPagePng, pdfToText } from '../../testing/pdf.ts';
import { openStage, opdIdOf, sub, subsOf } from './testing.ts';

let t: TestContext;
let stage: { id: number; year: number };
let dinkes: number;
const outDir = process.env.PADU_DOCS_PRINTS
  ? path.resolve('docs/prints')
  : fs.mkdtempSync(path.join(os.tmpdir(), 'padu-prints-'));

before(async () => {
  t = await testApp();
  stage = await openStage(t);
  dinkes = await opdIdOf(t, 'dinkes');
});
after(async () => {
  if (!process.env.PADU_DOCS_PRINTS) fs.rmSync(outDir, { recursive: true, force: true });
  await t?.close();
});

async function get(url: string, user = 'dinkes.head') {
  return t.server.inject({ method: 'GET', url, headers: await t.as(user) });
}
const idr = (v: string | bigint) => new Intl.NumberFormat('id-ID').format(BigInt(v));
/** pdftotext's text with runs of white space as one space: labels and values on one line. */
const flat = (s: string) => s.replace(/[ \t]+/g, ' ');

function savePng(pdf: Buffer, name: string): Buffer {
  const png = pdfFirstPagePng(pdf, 1000);
  assert.equal(png.subarray(1, 4).toString(), 'PNG', `${name} is a PNG`);
  assert.ok(png.length > 10_000, `${name} has content (${png.length} bytes)`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, name), png);
  return png;
}

test('the RKA-SKPD of one sub kegiatan prints the official blocks, compressed, and renders to PNG', async () => {
  const s = (await subsOf(t, stage.id, dinkes)).find((x) => x.lines > 2)!;
  const detail = await sub(t, s.id);
  const res = await get(`/api/v1/budget/sub-kegiatan/${s.id}/rka.pdf`);
  assert.equal(res.statusCode, 200, res.body);
  const pdf = res.rawPayload;
  assert.ok(pdf.toString('latin1').includes('/FlateDecode'), 'content streams are compressed');
  const text = flat(pdfToText(pdf));
  if (process.env.PADU_PRINT_TEXT) console.log(text);
  const has = (s: string, why = s) => assert.ok(text.includes(s), `the print shows ${why}`);
  // title box and header block, in this order
  const order = [
    'RENCANA KERJA DAN ANGGARAN',
    'RKA-BELANJA SKPD',
    'Urusan Pemerintahan',
    'Bidang Urusan',
    'Program',
    'Capaian Program',
    'Kegiatan',
    'Organisasi',
    'Unit Organisasi',
    `Alokasi Tahun ${stage.year - 1}`,
    `Alokasi Tahun ${stage.year} `,
    `Alokasi Tahun ${stage.year + 1}`,
    'Indikator dan Tolok Ukur Kinerja Kegiatan',
    'Rincian Anggaran Belanja Sub Kegiatan',
    'Sub Kegiatan',
    'Sumber Pendanaan',
    'Lokasi',
    'Waktu Pelaksanaan',
    'Keluaran Sub Kegiatan',
    'Kode Rekening',
    'Jumlah Anggaran Sub Kegiatan',
    'NIP',
    'Catatan Hasil Pembahasan',
    'Tim Anggaran Pemerintah Daerah',
  ];
  let at = -1;
  for (const label of order) {
    const i = text.indexOf(label, at + 1);
    assert.ok(i > at, `"${label}" follows the previous block (at ${i}, previous ${at})`);
    at = i;
  }
  // the per-sub print starts with its own sub kegiatan, not the OPD's program totals
  assert.ok(!text.includes('Ringkasan'), 'no OPD summary on the print of one sub kegiatan');
  has(`${detail.code}`, 'the sub kegiatan code');
  has(`: ${detail.program_code} `, 'the program with its code');
  has(`: ${detail.kegiatan_code} `, 'the kegiatan with its code');
  // identity values: urusan code from the bidang, the OPD, the allocations
  const segs = String(detail.code).split('.');
  has(`: ${segs[0]} `, 'the urusan code');
  has(`: ${segs.slice(0, 2).join('.')} `, 'the bidang code');
  has('Dinas Kesehatan', 'the organisation');
  // indicator table: its four kinds of rows
  for (const k of [
    'Indikator',
    'Tolok Ukur Kinerja',
    'Target Kinerja',
    'Masukan',
    'Dana yang Dibutuhkan',
    'Keluaran',
    'Hasil',
  ])
    has(k);
  has(`Jumlah Anggaran Sub Kegiatan : ${idr(detail.planned)}`, 'the sub kegiatan total');
  assert.match(text, /Masukan Dana yang Dibutuhkan Rp [\d.]+/, 'the funds needed with Rp');
  // rincian columns and rows
  for (const k of ['Uraian', 'Koefisien', 'Satuan', 'Harga satuan', 'PPN', 'Jumlah']) has(k, `column ${k}`);
  const line = detail.lines[0] as { account_code: string; name: string; total: string };
  has(line.account_code, 'the account of a line');
  has(line.name.slice(0, 20), 'the name of a line');
  has(idr(line.total), 'the amount of a line');
  // signature block and TAPD table
  has('Kepala Dinas Kesehatan', 'the head of the OPD');
  for (const k of ['No.', 'Nama', 'Jabatan', 'Tanda Tangan']) has(k, `TAPD column ${k}`);
  savePng(pdf, 'rka-skpd-sub-kegiatan.png');
});

test('Perda Lampiran I from an open stage is a DRAF without signature; from a closed stage it is signed', async () => {
  const url = `/api/v1/budget/apbd/stages/${stage.id}/reports/perda-1?format=pdf`;
  const res = await get(url, 'tapd');
  assert.equal(res.statusCode, 200, res.body);
  const raw = pdfToText(res.rawPayload);
  const text = flat(raw);
  // every page carries the table and its number (no page holding only a footer or the watermark)
  const pages = raw.split('\f').filter((p) => p.trim());
  pages.forEach((p, i) => {
    assert.match(p, /Uraian/, `page ${i + 1} has the table`);
    assert.match(p, new RegExp(`Halaman ${i + 1}\\b`), `page ${i + 1} is numbered`);
  });
  assert.ok(text.includes('DRAF'), 'the DRAF watermark');
  assert.ok(text.includes('belum ditetapkan'), 'the draft note says why');
  assert.ok(!text.includes('BUPATI'), 'no signature block on a draft');
  for (const k of [
    'LAMPIRAN I PERATURAN DAERAH',
    'RINGKASAN APBD',
    'PENDAPATAN DAERAH',
    'BELANJA DAERAH',
    'PEMBIAYAAN',
  ])
    assert.ok(text.includes(k), `the attachment shows ${k}`);
  const { rows } = json(await get(url.replace('?format=pdf', ''), 'tapd')) as {
    rows: Array<{ key?: string; values: string[] }>;
  };
  const belanja = rows.find((r) => r.key === 'belanja') ?? rows.find((r) => r.key);
  assert.ok(belanja, 'a total row');
  assert.ok(text.includes(idr(belanja.values[0]!)), 'a total in Indonesian format');
  // Pembiayaan: receipts and payments apart and their net, never their sum
  const lineOf = (code: string) =>
    raw.split('\n').find((l) => new RegExp(`^\\s*${code.replace(/\./g, '\\.')}\\s`).test(l));
  const heading = rows.find((r) => (r as { code?: string }).code === '6') as { heading?: boolean; values: string[] };
  assert.ok(heading?.heading, 'the JSON marks PEMBIAYAAN DAERAH as a heading');
  const sixLine = lineOf('6');
  assert.ok(sixLine && /PEMBIAYAAN DAERAH/.test(sixLine), 'the PEMBIAYAAN DAERAH row is printed');
  assert.ok(!/\d{1,3}(\.\d{3})+/.test(sixLine!), `no amount on PEMBIAYAAN DAERAH: ${sixLine}`);
  for (const code of ['6.1', '6.2']) {
    const r = rows.find((x) => (x as { code?: string }).code === code);
    if (r && BigInt(r.values[0]!) > 0n) assert.ok(text.includes(idr(r.values[0]!)), `${code} printed with its amount`);
  }
  assert.ok(text.includes('PEMBIAYAAN NETTO'), 'the net financing row');
  savePng(res.rawPayload, 'perda-lampiran-1-draf.png');

  // once the stage is closed (the Perda adopted) the same attachment is signed and carries no DRAF
  const close = await t.server.inject({
    method: 'POST',
    url: `/api/v1/budget/stages/${stage.id}/close`,
    headers: await t.as('tapd'),
  });
  assert.equal(close.statusCode, 200, close.body);
  const final = flat(pdfToText((await get(url, 'tapd')).rawPayload));
  assert.ok(!final.includes('DRAF'), 'no DRAF once adopted');
  assert.ok(final.includes('BUPATI DEMO'), 'the Kepala Daerah signs');
});
