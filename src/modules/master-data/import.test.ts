import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { testApp, json, type TestContext, multipartBody } from '../../testing/harness.ts';
import { systemPrincipal } from '../../core/roles.ts';
import { AppError } from '../../core/errors.ts';
import { getNomenclature, importFile } from './index.ts';

let ctx: TestContext;
before(async () => {
  ctx = await testApp();
});
after(() => ctx.close());

const API = '/api/v1/master-data';

async function count(
  table: 'md_organisation' | 'md_unit' | 'md_region' | 'md_nomenclature' | 'md_organisation_bidang',
): Promise<number> {
  const r = await ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('pemda_id', '=', ctx.pemdaId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function auditCount(): Promise<number> {
  const r = await ctx.db
    .selectFrom('core_audit_log')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('pemda_id', '=', ctx.pemdaId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function xlsx(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Data');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const ORG_HEADER = 'kode,nama,singkatan,jenis,nama_kepala,nip_kepala,bidang_urusan';

test('a CSV with one bad row writes nothing and reports that row and column', async () => {
  const csv = [
    ORG_HEADER,
    '1.03.0.00.0.00.01.0005,UPTD Air Minum,uptd-air,,Rudi Hartono,197904122006041003,',
    '1.03.0.00.0.00.01.0006,UPTD Jalan dan Jembatan,uptd-jalan,,Sari Dewi,1979041220060410,', // 16-digit NIP
    '1.03.0.00.0.00.01.0007,UPTD Drainase,uptd-drainase,,,,',
  ].join('\n');
  const admin = await ctx.as('admin');
  const orgs = await count('md_organisation');
  const audits = await auditCount();
  const res = await ctx.server.inject({
    method: 'POST',
    url: `${API}/organisations/import`,
    headers: { ...admin, 'content-type': 'text/csv' },
    payload: csv,
  });
  assert.equal(res.statusCode, 400, res.body);
  const body = json(res);
  assert.equal(body.error, 'import');
  assert.equal(body.fields.length, 1);
  assert.equal(body.fields[0].row, 2);
  assert.equal(body.fields[0].field, 'nip_kepala');
  assert.match(body.fields[0].message, /NIP/);
  assert.equal(await count('md_organisation'), orgs);
  assert.equal(await auditCount(), audits);

  // the same file, corrected, is imported in one go (parents derived, bidang not set for units)
  const ok = await ctx.server.inject({
    method: 'POST',
    url: `${API}/organisations/import`,
    headers: { ...(await ctx.as('admin')), 'content-type': 'text/csv' },
    payload: csv.replace('1979041220060410,', '197904122006041004,'),
  });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual(json(ok), { ok: true, count: 3, inserted: 3, updated: 0, unchanged: 0 });
  assert.equal(await count('md_organisation'), orgs + 3);
  const log = await ctx.db
    .selectFrom('core_audit_log')
    .select(['action', 'entity', 'after'])
    .where('pemda_id', '=', ctx.pemdaId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  assert.equal(log.action, 'import');
  assert.equal((log.after as { inserted: number }).inserted, 3);
});

test('an XLSX with one bad row writes nothing and reports that row and column', async () => {
  const good = ['99.01.11', 'Kecamatan Baru', ''];
  const rows = [
    ['kode', 'nama', 'kode_organisasi'],
    good,
    ['99.01.11.1001', 'Kelurahan Satu', ''],
    ['99.01.11.3001', 'Kode salah', ''],
    ['99.01.11.2001', 'Desa Dua', '7.01.0.00.0.00.01.0000'], // only a kecamatan links to an office
  ];
  const regions = await count('md_region');
  const res = await importFile(
    ctx.db,
    systemPrincipal(ctx.app.registry.permissions, ctx.pemdaId),
    'regions',
    await xlsx(rows),
  );
  assert.equal(res.ok, false);
  assert.ok(!res.ok);
  assert.deepEqual(
    res.errors.map((e) => [e.row, e.column]),
    [
      [3, 'kode'],
      [4, 'kode_organisasi'],
    ],
  );
  assert.equal(await count('md_region'), regions);

  // through the API as multipart, in English
  const file = await xlsx(rows);
  const mp = multipartBody(
    {},
    {
      content: file,
      filename: 'wilayah.xlsx',
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    },
  );
  const api = await ctx.server.inject({
    method: 'POST',
    url: `${API}/regions/import?lang=en`,
    headers: { ...(await ctx.as('admin')), 'content-type': mp.contentType },
    payload: mp.payload,
  });
  assert.equal(api.statusCode, 400, api.body);
  assert.deepEqual(
    json(api).fields.map((f: { row: number; field: string }) => [f.row, f.field]),
    [
      [3, 'kode'],
      [4, 'kode_organisasi'],
    ],
  );
  assert.match(json(api).fields[0].message, /Invalid region code/);
  assert.equal(await count('md_region'), regions);

  const fixed = await importFile(
    ctx.db,
    systemPrincipal(ctx.app.registry.permissions, ctx.pemdaId),
    'regions',
    await xlsx([rows[0]!, good, rows[2]!, ['99.01.11.2001', 'Desa Dua', '']]),
  );
  assert.deepEqual(fixed, { ok: true, count: 3, inserted: 3, updated: 0, unchanged: 0 });
});

test('re-import: a desa renamed under an unchanged kecamatan keeps its parent', async () => {
  const as = systemPrincipal(ctx.app.registry.permissions, ctx.pemdaId);
  const csv = (desa: string) =>
    Buffer.from(`kode,nama\n99.01.12,Kecamatan Tetap\n99.01.12.2001,${desa}\n99.01.12.1001,Kelurahan Tetap\n`);
  assert.deepEqual(await importFile(ctx.db, as, 'regions', csv('Desa Lama')), {
    ok: true,
    count: 3,
    inserted: 3,
    updated: 0,
    unchanged: 0,
  });
  const parentOf = async (code: string) =>
    (
      await ctx.db
        .selectFrom('md_region as r')
        .leftJoin('md_region as p', (j) => j.onRef('p.pemda_id', '=', 'r.pemda_id').onRef('p.id', '=', 'r.parent_id'))
        .select('p.code')
        .where('r.pemda_id', '=', ctx.pemdaId)
        .where('r.code', '=', code)
        .executeTakeFirstOrThrow()
    ).code;
  assert.equal(await parentOf('99.01.12.2001'), '99.01.12');
  // the kecamatan is unchanged (not written again), the desa is renamed: its parent stays
  assert.deepEqual(await importFile(ctx.db, as, 'regions', csv('Desa Baru')), {
    ok: true,
    count: 3,
    inserted: 0,
    updated: 1,
    unchanged: 2,
  });
  assert.equal(await parentOf('99.01.12.2001'), '99.01.12');
  assert.equal(await parentOf('99.01.12.1001'), '99.01.12');
});

test('XLSX: a NIP typed into a number cell (digits lost) is refused, not stored wrong', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('OPD');
  ws.addRow(['kode', 'nama', 'singkatan', 'nip_kepala']);
  // eslint-disable-next-line no-loss-of-precision -- the point: a spreadsheet number cell loses the NIP's digits
  ws.addRow(['2.09.0.00.0.00.01.0001', 'UPTD Benih', 'uptd-benih', 197306132003121008]);
  const res = await importFile(
    ctx.db,
    systemPrincipal(ctx.app.registry.permissions, ctx.pemdaId),
    'organisations',
    Buffer.from(await wb.xlsx.writeBuffer()),
  );
  assert.ok(!res.ok);
  assert.deepEqual(
    res.errors.map((e) => [e.row, e.column]),
    [[1, 'nip_kepala']],
  );
});

test('re-importing updates changed rows only; semicolon CSV with BOM; duplicate codes and missing columns are reported', async () => {
  const admin = systemPrincipal(ctx.app.registry.permissions, ctx.pemdaId);
  const units = '\uFEFFkode;nama\nBks;Bungkus\nPcs;Pieces\n';
  assert.deepEqual(await importFile(ctx.db, admin, 'units', Buffer.from(units)), {
    ok: true,
    count: 2,
    inserted: 2,
    updated: 0,
    unchanged: 0,
  });
  assert.deepEqual(await importFile(ctx.db, admin, 'units', Buffer.from(units.replace('Pieces', 'Potong'))), {
    ok: true,
    count: 2,
    inserted: 0,
    updated: 1,
    unchanged: 1,
  });
  const row = await ctx.db
    .selectFrom('md_unit')
    .selectAll()
    .where('pemda_id', '=', ctx.pemdaId)
    .where('code', '=', 'Pcs')
    .executeTakeFirstOrThrow();
  assert.equal(row.name, 'Potong');
  assert.equal(row.version, 2);

  const dup = await importFile(ctx.db, admin, 'units', Buffer.from('kode,nama\nZak,Zak\nZak,Karung\n'));
  assert.ok(!dup.ok);
  assert.deepEqual(
    dup.errors.map((e) => [e.row, e.column]),
    [[2, 'kode']],
  );

  const missing = await importFile(ctx.db, admin, 'funding-sources', Buffer.from('code\nPAD\n'));
  assert.ok(!missing.ok);
  assert.deepEqual(
    missing.errors.map((e) => [e.row, e.column]),
    [[0, 'nama']],
  );

  const junk = await importFile(ctx.db, admin, 'units', Buffer.from('PK\u0003\u0004not really a zip'));
  assert.ok(!junk.ok);
  await assert.rejects(
    importFile(ctx.db, admin, 'people', Buffer.from('kode\n')),
    (e: unknown) => e instanceof AppError && e.status === 400,
  );
  const operator = { ...admin, role: 'opd_operator' as const, opdId: 1 };
  await assert.rejects(
    importFile(ctx.db, operator, 'organisations', Buffer.from(`${ORG_HEADER}\n`)),
    (e: unknown) => e instanceof AppError && e.status === 403,
  );
});

test('nomenclature import: X.XX rows apply to every bidang of the year; parents may come from the file', async () => {
  const csv = [
    'kode,nama,level,keluaran,indikator,satuan',
    '1,URUSAN WAJIB PELAYANAN DASAR,urusan,,,',
    '1.02,KESEHATAN,bidang,,,',
    '2,URUSAN WAJIB NON PELAYANAN DASAR,,,,',
    '2.16,KOMUNIKASI DAN INFORMATIKA,,,,',
    'X.XX.01,PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH KABUPATEN/KOTA,program,,,',
    'X.XX.01.2.01,"Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah",kegiatan,,,',
    'X.XX.01.2.01.0001,Penyusunan Dokumen Perencanaan Perangkat Daerah,sub_kegiatan,Dokumen Perencanaan,Jumlah Dokumen Perencanaan,Dokumen',
  ].join('\r\n');
  const res = await importFile(
    ctx.db,
    systemPrincipal(ctx.app.registry.permissions, ctx.pemdaId),
    'nomenclature',
    Buffer.from(csv),
    { year: 2030 },
  );
  assert.ok(res.ok, JSON.stringify(res));
  assert.equal(res.count, 4 + 3 * 2);
  const sub = await getNomenclature(ctx.db, ctx.pemdaId, 2030, '2.16.01.2.01.0001');
  assert.equal(sub?.unit, 'Dokumen');
  assert.equal(sub?.parentCode, '2.16.01.2.01');
  assert.equal(await getNomenclature(ctx.db, ctx.pemdaId, 2031, '2.16.01'), undefined);

  // a program whose bidang is not in the year is refused, naming the row
  const bad = await importFile(
    ctx.db,
    systemPrincipal(ctx.app.registry.permissions, ctx.pemdaId),
    'nomenclature',
    Buffer.from('kode,nama\n1.03.10,PROGRAM PENYELENGGARAAN JALAN\n'),
    { year: 2030 },
  );
  assert.ok(!bad.ok);
  assert.deepEqual(
    bad.errors.map((e) => [e.row, e.column]),
    [[1, 'kode']],
  );
  assert.match(bad.errors[0]!.reason, /1\.03/);
});

test('import pages: column documentation, template, multipart upload with the error report', async () => {
  const s = await ctx.session('admin');
  const html: Record<string, string> = { ...s.headers, accept: 'text/html' };
  const page = await ctx.server.inject({ url: '/master-data/organisations/import', headers: html });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /nip_kepala/);
  assert.match(page.body, /enctype="multipart\/form-data"/);
  assert.match(page.body, /name="_csrf"/);
  const tpl = await ctx.server.inject({ url: '/master-data/organisations/template.csv', headers: html });
  assert.equal(tpl.statusCode, 200);
  assert.match(String(tpl.headers['content-type']), /text\/csv/);
  assert.equal(tpl.body.trim(), ORG_HEADER);

  const bad = multipartBody(
    { _csrf: s.csrf },
    { content: Buffer.from('kode,nama\nKarung,\n'), filename: 'satuan.csv', type: 'text/csv' },
  );
  const { 'x-csrf-token': _t, ...noHeader } = html;
  const res = await ctx.server.inject({
    method: 'POST',
    url: '/master-data/units/import',
    headers: { ...noHeader, 'content-type': bad.contentType },
    payload: bad.payload,
  });
  assert.equal(res.statusCode, 400, res.body);
  assert.match(res.body, /<table class="data import-errors">/);
  assert.match(res.body, /<td class="num">1<\/td><td>nama<\/td>/);
  assert.equal(
    json(await ctx.server.inject({ url: `${API}/units?q=Karung`, headers: await ctx.as('admin') })).total,
    0,
  );

  const good = multipartBody(
    { _csrf: s.csrf },
    { content: Buffer.from('kode,nama\nKarung,Karung\n'), filename: 'satuan.csv', type: 'text/csv' },
  );
  const ok = await ctx.server.inject({
    method: 'POST',
    url: '/master-data/units/import',
    headers: { ...noHeader, 'content-type': good.contentType },
    payload: good.payload,
  });
  assert.equal(ok.statusCode, 200);
  assert.match(ok.body, /class="notice"/);
  assert.equal(
    json(await ctx.server.inject({ url: `${API}/units?q=Karung`, headers: await ctx.as('admin') })).total,
    1,
  );

  // without the CSRF token the upload is refused
  const noToken = multipartBody({}, { content: Buffer.from('kode,nama\nX,X\n'), filename: 'x.csv', type: 'text/csv' });
  const forged = await ctx.server.inject({
    method: 'POST',
    url: '/master-data/units/import',
    headers: { ...noHeader, 'content-type': noToken.contentType },
    payload: noToken.payload,
  });
  assert.equal(forged.statusCode, 403);
  // an OPD operator has no import page for organisations
  const op = await ctx.session('dinkes.operator');
  assert.equal(
    (
      await ctx.server.inject({
        url: '/master-data/organisations/import',
        headers: { ...op.headers, accept: 'text/html' },
      })
    ).statusCode,
    403,
  );
});

test('a full-size nomenclature file (24k rows) imports in seconds, and re-imports as unchanged', async () => {
  const lines = ['kode,nama,level,keluaran,indikator,satuan', '1,URUSAN WAJIB PELAYANAN DASAR,,,,'];
  for (let b = 1; b <= 20; b++) {
    const bc = `1.${String(b).padStart(2, '0')}`;
    lines.push(`${bc},BIDANG ${bc},,,,`);
    for (let p = 1; p <= 10; p++) {
      const pc = `${bc}.${String(p).padStart(2, '0')}`;
      lines.push(`${pc},PROGRAM ${pc},,,,`);
      for (let k = 1; k <= 10; k++) {
        const kc = `${pc}.2.${String(k).padStart(2, '0')}`;
        lines.push(`${kc},Kegiatan ${kc},,,,`);
        for (let s = 1; s <= 11; s++)
          lines.push(
            `${kc}.${String(s).padStart(4, '0')},Sub kegiatan ${kc}.${s},,Keluaran ${s},Jumlah keluaran ${s},Dokumen`,
          );
      }
    }
  }
  const file = Buffer.from(lines.join('\n'));
  const started = Date.now();
  const res = await importFile(
    ctx.db,
    systemPrincipal(ctx.app.registry.permissions, ctx.pemdaId),
    'nomenclature',
    file,
    { year: 2035 },
  );
  const took = Date.now() - started;
  assert.ok(res.ok && res.inserted === lines.length - 1, JSON.stringify(res).slice(0, 300));
  // the foreign-key check of every row must use the key's index (it once scanned the year: 40 s)
  assert.ok(took < 25_000, `import took ${took} ms`);
  const again = await importFile(
    ctx.db,
    systemPrincipal(ctx.app.registry.permissions, ctx.pemdaId),
    'nomenclature',
    file,
    { year: 2035 },
  );
  assert.ok(again.ok && again.unchanged === lines.length - 1);
  assert.equal((await getNomenclature(ctx.db, ctx.pemdaId, 2035, '1.20.10.2.10.0011'))?.parentCode, '1.20.10.2.10');
});

test('an import that changes only the bidang of an existing OPD changes them (and says it updated it)', async () => {
  const admin = await ctx.as('admin');
  const row = (bidang: string) =>
    [ORG_HEADER, `1.03.0.00.0.00.03.0000,Dinas Uji Bidang,ujibidang,opd,,,"${bidang}"`].join('\n');
  const imp = (csv: string) =>
    ctx.server.inject({
      method: 'POST',
      url: `${API}/organisations/import`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: csv,
    });
  const first = await imp(row('1.03'));
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(json(first).inserted, 1);
  const bidangNow = async () => {
    const org = await ctx.db
      .selectFrom('md_organisation')
      .select('id')
      .where('pemda_id', '=', ctx.pemdaId)
      .where('code', '=', '1.03.0.00.0.00.03.0000')
      .executeTakeFirstOrThrow();
    return (
      await ctx.db
        .selectFrom('md_organisation_bidang')
        .select('bidang_code')
        .where('pemda_id', '=', ctx.pemdaId)
        .where('organisation_id', '=', org.id)
        .orderBy('bidang_code')
        .execute()
    ).map((r) => r.bidang_code);
  };
  assert.deepEqual(await bidangNow(), ['1.03']);
  const audits = await auditCount();
  const second = await imp(row('1.03, 1.04'));
  assert.equal(second.statusCode, 200, second.body);
  assert.deepEqual(await bidangNow(), ['1.03', '1.04']);
  assert.deepEqual(json(second), { ok: true, count: 1, inserted: 0, updated: 1, unchanged: 0 });
  assert.equal(await auditCount(), audits + 1, 'the import is in the audit trail');
  // the same file again changes nothing
  const third = await imp(row('1.03, 1.04'));
  assert.deepEqual(json(third), { ok: true, count: 1, inserted: 0, updated: 0, unchanged: 1 });
});
