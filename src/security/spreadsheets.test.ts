// Spreadsheets through HTTP (issue #10 findings 3, 4): a line named as a formula is exported
// neutralised in lines.csv (amounts untouched), catalogue import refuses such names, and an XLSX
// zip bomb posted to an import endpoint is a 400 saying why, without inflating it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../testing/harness.ts';
import { openStage, opdIdOf } from '../modules/budgeting/testing.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const EVIL = '=HYPERLINK("http://evil.example","x")';

test("lines.csv: a formula-like line name is prefixed with ', negative and plain amounts are not", async () => {
  const stage = await openStage(t);
  const dinkes = await opdIdOf(t, 'dinkes');
  const line = await sql<{
    id: number;
  }>`SELECT id FROM bud_line WHERE pemda_id = ${t.pemdaId} AND stage_id = ${stage.id}
    AND opd_id = ${dinkes} ORDER BY id LIMIT 1`.execute(t.db);
  await sql`UPDATE bud_line SET name = ${EVIL} WHERE pemda_id = ${t.pemdaId} AND id = ${line.rows[0]!.id}`.execute(
    t.db,
  );
  const res = await t.server.inject({
    method: 'GET',
    url: `/api/v1/budget/stages/${stage.id}/opds/${dinkes}/lines.csv`,
    headers: await t.as('tapd'),
  });
  assert.equal(res.statusCode, 200);
  assert.ok(!res.body.includes(`,"${EVIL.replace(/"/g, '""')}"`), 'the raw formula is not a cell');
  const rows = parseCsv(res.body, { columns: true, bom: true }) as Array<Record<string, string>>;
  const evil = rows.find((r) => r.name?.includes('HYPERLINK'))!;
  assert.equal(evil.name, `'${EVIL}`);
  assert.ok(
    rows.every((r) => /^-?\d+$/.test(r.total!)),
    'amounts stay numbers',
  );
});

test('catalogue import refuses names, specifications and units that a spreadsheet would run', async () => {
  const csv = Buffer.from(
    'jenis,kode,nama,spesifikasi,satuan,harga,tkdn,akun\n' +
      `SSH,1.1.12.01.01.0832,"${EVIL.replace(/"/g, '""')}",,Buah,7000,,5.1.02.01.01.0024\n` +
      'SSH,1.1.12.01.01.0833,Pita,@SUM(A1),Buah,7000,,5.1.02.01.01.0024\n' +
      'SSH,1.1.12.01.01.0834,Pita,,+cmd,7000,,5.1.02.01.01.0024\n',
  );
  const res = await t.server.inject({
    method: 'POST',
    url: '/api/v1/catalogue/import?year=2027',
    headers: { ...(await t.as('tim_data')), 'content-type': 'text/csv' },
    payload: csv,
  });
  assert.equal(res.statusCode, 400, res.body);
  assert.deepEqual(
    json(res).fields.map((f: { row: number; field: string }) => [f.row, f.field]),
    [
      [1, 'nama'],
      [2, 'spesifikasi'],
      [3, 'satuan'],
    ],
  );
  assert.match(json(res).fields[0].message, /rumus/);
});

/** One-entry zip whose central directory declares `declared` bytes for a small deflated body. */
function bomb(declared: number, data = Buffer.from('<worksheet/>')): Buffer {
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const comp = zlib.deflateRawSync(data);
  const lh = Buffer.alloc(30);
  lh.writeUInt32LE(0x04034b50, 0);
  lh.writeUInt16LE(8, 8);
  lh.writeUInt32LE(comp.length, 18);
  lh.writeUInt32LE(declared, 22);
  lh.writeUInt16LE(name.length, 26);
  const ch = Buffer.alloc(46);
  ch.writeUInt32LE(0x02014b50, 0);
  ch.writeUInt16LE(8, 10);
  ch.writeUInt32LE(comp.length, 20);
  ch.writeUInt32LE(declared, 24);
  ch.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + comp.length, 16);
  return Buffer.concat([lh, name, comp, ch, name, end]);
}

test('an XLSX zip bomb posted to an import endpoint is a 400 naming the limit, nothing inflated', async () => {
  const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  for (const [url, user] of [
    ['/api/v1/master-data/organisations/import', 'admin'],
    ['/api/v1/catalogue/import?year=2027', 'tim_data'],
  ] as const) {
    for (const file of [bomb(3_000_000_000), bomb(500, Buffer.alloc(30 * 1024 * 1024))]) {
      const res = await t.server.inject({
        method: 'POST',
        url: `${url}${url.includes('?') ? '&' : '?'}lang=en`,
        headers: { ...(await t.as(user)), 'content-type': xlsx },
        payload: file,
      });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.match(
        json(res).fields[0].message,
        /XLSX file refused: unpacked it holds .* the limit is 100 MB/,
        res.body,
      );
    }
  }
});
