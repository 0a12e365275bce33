import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { json, testApp, type TestContext, multipartBody } from '../../testing/harness.ts';
import { systemPrincipal } from '../../core/roles.ts';
import { importCatalogue, searchCatalogue } from './index.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const HEADER = 'jenis,kode,nama,spesifikasi,satuan,harga,tkdn,akun';

async function countYear(year: number): Promise<number> {
  const r = await t.db
    .selectFrom('cat_item')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('pemda_id', '=', t.pemdaId)
    .where('year', '=', year)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function versionsTotal(): Promise<number> {
  const r = await t.db
    .selectFrom('cat_item_version')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('pemda_id', '=', t.pemdaId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function xlsx(rows: Array<Array<string | number>>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('SSH');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const timData = () => ({
  pemdaId: t.pemdaId,
  userId: 0,
  username: 'tim_data',
  fullName: 'Tim Data Harga',
  role: 'tim_data' as const,
  opdId: null,
  regionId: null,
  via: 'cli' as const,
  grants: t.app.registry.permissions,
});

test('a CSV with one bad row writes nothing and names the row and column', async () => {
  const before2028 = await countYear(2027);
  const versions = await versionsTotal();
  const csv = [
    HEADER,
    'SSH,1.1.12.01.01.0801,Spidol kecil hitam,,Buah,8000,,5.1.02.01.01.0024',
    'SSH,1.1.12.01.01.0802,Spidol kecil biru,,Buah,8.000,,5.1.02.01.01.0024',
    'SSH,1.1.12.01.01.0803,Spidol kecil merah,,Buah,8000.5,,5.1.02.01.01.0024',
    'SSH,1.1.12.01.02.0002,Kertas HVS A4 80 gram,500 lembar per rim,Rim,67000,60,5.1.02.01.01.0024;5.1.02.01.01.0025',
  ].join('\n');
  const res = await importCatalogue(t.db, timData(), Buffer.from(csv), { year: 2027 });
  assert.equal(res.ok, false);
  assert.ok(!res.ok);
  assert.deepEqual(
    res.errors.map((e) => [e.row, e.column]),
    [[3, 'harga']],
  );
  assert.match(res.errors[0]!.reason, /bilangan bulat rupiah/);
  assert.equal(await countYear(2027), before2028, 'nothing was written');
  assert.equal(await versionsTotal(), versions);
});

test('a good CSV: new codes become items, a changed price a new audited version, unchanged rows stay', async () => {
  const csv = [
    'Jenis;Kode;Nama;Spesifikasi;Satuan;Harga;TKDN;Akun;Keterangan',
    'SSH;1.1.12.01.01.0801;Spidol kecil hitam;;Buah;8000;;5.1.02.01.01.0024;',
    'ssh;1.1.12.01.01.0802;Spidol kecil biru;;Buah;Rp 8.000;25,5;5.1.02.01.01.0024;',
    'SSH;1.1.12.01.02.0002;Kertas HVS A4 80 gram;500 lembar per rim;Rim;67000;60;5.1.02.01.01.0024, 5.1.02.01.01.0025;survei Nov',
    'SSH;1.1.12.01.02.0001;Kertas HVS A4 70 gram;500 lembar per rim;Rim;55000;60;5.1.02.01.01.0024,5.1.02.01.01.0025',
  ].join('\r\n');
  const res = await importCatalogue(t.db, timData(), Buffer.from(`\uFEFF${csv}`), { year: 2027 });
  assert.deepEqual(res, { ok: true, count: 3, created: 2, updated: 1, unchanged: 1 });
  const hvs = (await searchCatalogue(t.db, t.pemdaId, { year: 2027, text: '1.1.12.01.02.0002' })).rows[0]!;
  assert.equal(hvs.version, 2);
  assert.equal(hvs.price, '67000');
  const blue = (await searchCatalogue(t.db, t.pemdaId, { year: 2027, text: 'spidol kecil biru' })).rows[0]!;
  assert.equal(blue.price, '8000');
  assert.equal(blue.tkdn, '25.50');
  const audit = await t.db
    .selectFrom('core_audit_log')
    .select(['action', 'before', 'after'])
    .where('pemda_id', '=', t.pemdaId)
    .where('entity', '=', 'cat_item')
    .where('entity_id', '=', String(hvs.itemId))
    .execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.action, 'price_change');
  assert.equal((audit[0]!.before as { price: string }).price, '65000');
  assert.equal((audit[0]!.after as { price: string; via: string }).price, '67000');
  assert.equal((audit[0]!.after as { via: string }).via, 'import');
  // importing the same file again changes nothing
  assert.deepEqual(await importCatalogue(t.db, timData(), Buffer.from(csv), { year: 2027 }), {
    ok: true,
    count: 0,
    created: 0,
    updated: 0,
    unchanged: 4,
  });
});

test('an XLSX with one bad row writes nothing; errors name row and column; a good XLSX imports', async () => {
  const before = await countYear(2028);
  const bad = await xlsx([
    ['jenis', 'kode', 'nama', 'spesifikasi', 'satuan', 'harga', 'tkdn', 'akun'],
    ['SSH', '1.1.12.01.01.0001', 'Ballpoint hitam', '0,5 mm', 'Buah', 2500, 40, '5.1.02.01.01.0024'],
    ['SSH', '1.1.12.01.01.0002', 'Ballpoint biru', '0,5 mm', 'Buah', 2500, 40, '5.1.02.01.01.0099'],
    ['SSH', '1.1.12.01.01.0001', 'Ballpoint merah', '0,5 mm', 'Buah', 2500, 140, '5.1.02.01.01.0024'],
    ['XYZ', 'A.B', '', '', '', '', '', ''],
  ]);
  // 2028 has no chart of accounts in the demo: every account is unknown there
  const r2028 = await importCatalogue(t.db, timData(), bad, { year: 2028 });
  assert.ok(!r2028.ok);
  assert.ok(r2028.errors.some((e) => e.row === 1 && e.column === 'akun' && /2028/.test(e.reason)));
  assert.equal(await countYear(2028), before);

  const res = await importCatalogue(t.db, timData(), bad, { year: 2027, lang: 'en' });
  assert.ok(!res.ok);
  const pairs = res.errors.map((e) => `${e.row}:${e.column}`);
  assert.ok(pairs.includes('2:akun'), pairs.join(' '));
  assert.ok(pairs.includes('3:tkdn'));
  assert.ok(pairs.includes('3:kode'), 'duplicate code in the file');
  for (const c of ['jenis', 'kode', 'nama', 'satuan', 'harga', 'akun'])
    assert.ok(pairs.includes(`4:${c}`), `4:${c} in ${pairs.join(' ')}`);
  assert.match(res.errors.find((e) => e.row === 2)!.reason, /5\.1\.02\.01\.01\.0099 does not exist/);
  assert.equal(
    res.errors.find((e) => e.row === 3 && e.column === 'kode')!.reason,
    'The same code is already on row 1.',
  );

  const good = await xlsx([
    [
      'Kelompok',
      'Kode Barang',
      'Uraian',
      'Spesifikasi',
      'Satuan',
      'Harga Satuan',
      'TKDN',
      'Kode Rekening',
      'Komponen SBU',
      'Provinsi',
      'Jenis Perjalanan',
      'Golongan',
    ],
    ['SSH', '1.1.12.01.01.0811', 'Penanda buku magnetik', '', 'Buah', 5500, '', '5.1.02.01.01.0024', '', '', '', ''],
    [
      'SBU',
      '4.1.02.40.0001',
      'Batas biaya penginapan Papua Tengah eselon II',
      'per malam',
      'Malam',
      2100000,
      '',
      '5.1.02.04.01.0001',
      'penginapan',
      'Papua Tengah',
      '',
      'eselon_2',
    ],
  ]);
  const ok = await importCatalogue(t.db, timData(), good, { year: 2027 });
  assert.deepEqual(ok, { ok: true, count: 2, created: 2, updated: 0, unchanged: 0 });
});

test('SBU rows: attributes checked, one rate per slot, attributes of an existing code immutable', async () => {
  const head = 'jenis,kode,nama,spesifikasi,satuan,harga,tkdn,akun,komponen_sbu,provinsi,jenis_perjalanan,golongan';
  const res = await importCatalogue(
    t.db,
    timData(),
    Buffer.from(
      [
        head,
        'SBU,4.1.01.41.0001,Uang harian Papua Barat Daya,,OH,480000,,5.1.02.04.01.0001,uang_harian,Papua Barat Daya,,', // travel kind missing
        'SBU,4.1.01.41.0002,Uang harian Papua Barat Daya,,OH,480000,,5.1.02.04.01.0001,uang_harian,Papua Barat Daya,naik_kuda,',
        'SBU,4.1.01.41.0003,Uang harian Bali lagi,,OH,480000,,5.1.02.04.01.0001,uang_harian,Bali,luar_kota,', // slot of the seeded Bali rate
        'SBU,4.1.01.17.0001,Uang harian ke Bali,,OH,480000,,5.1.02.04.01.0001,uang_harian,Bali,dalam_kota,', // existing code, other attributes
        'SSH,1.1.12.01.01.0821,Pena,,Buah,5000,,5.1.02.01.01.0024,,Bali,,',
      ].join('\n'),
    ),
    { year: 2027 },
  );
  assert.ok(!res.ok);
  assert.deepEqual(
    res.errors.map((e) => `${e.row}:${e.column}`),
    [
      '1:jenis_perjalanan',
      '2:jenis_perjalanan',
      '3:komponen_sbu',
      '4:komponen_sbu',
      '4:komponen_sbu',
      '5:komponen_sbu',
    ],
  );
});

test('import through the API (raw and multipart) and the page; only Tim Data and admin', async () => {
  const csv = Buffer.from(`${HEADER}\nSSH,1.1.12.01.01.0831,Pita perekat kertas,,Buah,0,,5.1.02.01.01.0024\n`);
  const api = await t.server.inject({
    method: 'POST',
    url: '/api/v1/catalogue/import?year=2027&lang=en',
    headers: { ...(await t.as('tim_data')), 'content-type': 'text/csv' },
    payload: csv,
  });
  assert.equal(api.statusCode, 400, api.body);
  assert.deepEqual(
    json(api).fields.map((f: { row: number; field: string }) => [f.row, f.field]),
    [[1, 'harga']],
  );
  assert.match(json(api).message, /Import refused: 1 errors/);

  const good = Buffer.from(`${HEADER}\nSSH,1.1.12.01.01.0831,Pita perekat kertas,,Buah,7000,,5.1.02.01.01.0024\n`);
  const mp = multipartBody({ year: '2027' }, { content: good, filename: 'ssh.csv', type: 'text/csv' });
  const ok = await t.server.inject({
    method: 'POST',
    url: '/api/v1/catalogue/import',
    headers: { ...(await t.as('admin')), 'content-type': mp.contentType },
    payload: mp.payload,
  });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(json(ok).created, 1);

  for (const user of ['dinkes.operator', 'tapd']) {
    const r = await t.server.inject({
      method: 'POST',
      url: '/api/v1/catalogue/import?year=2027',
      headers: { ...(await t.as(user)), 'content-type': 'text/csv' },
      payload: good,
    });
    assert.equal(r.statusCode, 403, user);
  }
  await assert.rejects(
    importCatalogue(t.db, { ...timData(), role: 'opd_operator', opdId: 1 }, good, { year: 2027 }),
    (e: { status?: number }) => e.status === 403,
  );

  // the page: column documentation, template, upload with the error table, then success
  const s = await t.session('tim_data');
  const html: Record<string, string> = { ...s.headers, accept: 'text/html' };
  const page = await t.server.inject({ url: '/catalogue/import', headers: html });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /enctype="multipart\/form-data"/);
  assert.match(page.body, /name="_csrf"/);
  assert.match(page.body, /komponen_sbu/);
  const tpl = await t.server.inject({ url: '/catalogue/import/template.csv', headers: html });
  assert.match(String(tpl.headers['content-type']), /text\/csv/);
  assert.match(tpl.body, /^jenis,kode,nama/);
  const { 'x-csrf-token': _t, ...noHeader } = html;
  const badUpload = multipartBody(
    { _csrf: s.csrf, year: '2027' },
    {
      content: Buffer.from(`${HEADER}\nSSH,1.1.12.01.01.0832,Lem,,Buah,abc,,5.1.02.01.01.0024\n`),
      filename: 'ssh.csv',
      type: 'text/csv',
    },
  );
  const res = await t.server.inject({
    method: 'POST',
    url: '/catalogue/import',
    headers: { ...noHeader, 'content-type': badUpload.contentType },
    payload: badUpload.payload,
  });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /<td class="num">1<\/td><td>harga<\/td>/);
  const goodUpload = multipartBody(
    { _csrf: s.csrf, year: '2027' },
    {
      content: Buffer.from(`${HEADER}\nSSH,1.1.12.01.01.0832,Lem,,Buah,6000,,5.1.02.01.01.0024\n`),
      filename: 'ssh.csv',
      type: 'text/csv',
    },
  );
  const done = await t.server.inject({
    method: 'POST',
    url: '/catalogue/import',
    headers: { ...noHeader, 'content-type': goodUpload.contentType },
    payload: goodUpload.payload,
  });
  assert.equal(done.statusCode, 303);
  const after = await t.server.inject({ url: String(done.headers.location), headers: html });
  assert.match(after.body, /Impor selesai: 1 komponen baru/);
  void systemPrincipal;
});

test('a file changing 9,000 existing items imports in one go, every change audited (over 65,535 bind parameters)', async () => {
  const N = 9_000; // 8 parameters per audit record: 9,000 records in one INSERT would be 72,000
  const csvWith = (price: number) =>
    [
      HEADER,
      ...Array.from(
        { length: N },
        (_, i) => `SSH,9.7.${Math.floor(i / 100)}.${i % 100},Barang massal ${i},,Buah,${price + i},,5.1.02.01.01.0024`,
      ),
    ].join('\n');
  assert.deepEqual(await importCatalogue(t.db, timData(), Buffer.from(csvWith(1_000)), { year: 2027 }), {
    ok: true,
    count: N,
    created: N,
    updated: 0,
    unchanged: 0,
  });
  assert.deepEqual(await importCatalogue(t.db, timData(), Buffer.from(csvWith(2_000)), { year: 2027 }), {
    ok: true,
    count: N,
    created: 0,
    updated: N,
    unchanged: 0,
  });
  const items = await t.db
    .selectFrom('cat_item')
    .select(['id', 'code', 'current_version'])
    .where('pemda_id', '=', t.pemdaId)
    .where('year', '=', 2027)
    .where('code', 'like', '9.7.%')
    .execute();
  assert.equal(items.length, N);
  assert.ok(items.every((i) => i.current_version === 2));
  const audit = await t.db
    .selectFrom('core_audit_log')
    .select(['entity_id', 'after'])
    .where('pemda_id', '=', t.pemdaId)
    .where('entity', '=', 'cat_item')
    .where('action', '=', 'price_change')
    .where(
      'entity_id',
      'in',
      items.map((i) => String(i.id)),
    )
    .orderBy('seq')
    .execute();
  // one record per changed item, numbered in the order of the file's rows
  const codeOf = new Map(items.map((i) => [String(i.id), i.code]));
  assert.deepEqual(
    audit.map((a) => codeOf.get(a.entity_id)),
    Array.from({ length: N }, (_, i) => `9.7.${Math.floor(i / 100)}.${i % 100}`),
  );
  assert.equal((audit.at(-1)!.after as { price: string }).price, String(2_000 + N - 1));
});
