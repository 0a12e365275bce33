// Spreadsheets in and out (issue #10 findings 3 and 4): CSV formula injection and XLSX zip bombs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import { checkZip, csvSafe, readSheet, safeCsvStringifier, SheetError, ZIP_LIMITS } from './tabular.ts';

test('csvSafe neutralises formula cells but leaves plain numbers (negative amounts) alone', () => {
  for (const evil of ['=HYPERLINK("http://evil.example","x")', '+1+cmd|x', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '-cmd'])
    assert.equal(csvSafe(evil), `'${evil}`, evil);
  for (const fine of ['-1500000', '1500000', '+12', '-12,5', '-3.25', '-', '', 'Belanja ATK', 'a=b', '12-3'])
    assert.equal(csvSafe(fine), fine, fine);
});

test('safeCsvStringifier writes neutralised text, numbers (also bigint and negative) untouched', async () => {
  const s = safeCsvStringifier({ header: true, columns: ['name', 'total', 'delta'] });
  const out: Buffer[] = [];
  s.on('data', (c: Buffer) => out.push(Buffer.from(c)));
  const done = new Promise((r) => s.on('end', r));
  s.write({ name: '=HYPERLINK("http://evil.example","x")', total: '-1500000', delta: -25 });
  s.write({ name: '@A1', total: 12n, delta: '+5' });
  s.end();
  await done;
  const rows = parseCsv(Buffer.concat(out).toString(), { columns: true }) as Array<Record<string, string>>;
  assert.deepEqual(rows, [
    { name: `'=HYPERLINK("http://evil.example","x")`, total: '-1500000', delta: '-25' },
    { name: `'@A1`, total: '12', delta: '+5' },
  ]);
});

/** A minimal zip writer (deflate; CRC left 0: checkZip runs before anything reads CRCs). */
function zip(entries: Array<{ name: string; data: Buffer; declared?: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const comp = zlib.deflateRawSync(e.data);
    const size = e.declared ?? e.data.length;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(8, 8);
    lh.writeUInt32LE(comp.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(8, 10);
    ch.writeUInt32LE(comp.length, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, comp);
    centrals.push(ch, name);
    offset += 30 + name.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const refusal = async (file: Buffer) => {
  try {
    await readSheet(file);
    return null;
  } catch (err) {
    assert.ok(err instanceof SheetError, String(err));
    return err;
  }
};

test('an XLSX declaring a huge uncompressed size is refused from its central directory', async () => {
  const file = zip([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<x/>'), declared: 4_000_000_000 }]);
  assert.ok(file.length < 1000, 'a small file');
  const err = await refusal(file);
  assert.equal(err?.key, 'core.import.zip_too_large');
  assert.equal(err?.params.maxSize, 100);
});

test('an XLSX whose entry inflates past what it declares is refused with the output capped', async () => {
  const bomb = Buffer.alloc(20 * 1024 * 1024); // 20 MB of zeros deflate to ~20 KB
  const file = zip([{ name: 'xl/worksheets/sheet1.xml', data: bomb, declared: 1000 }]);
  assert.ok(file.length < 100_000);
  const before = process.memoryUsage().arrayBuffers;
  const err = await refusal(file);
  assert.equal(err?.key, 'core.import.zip_too_large');
  assert.ok(process.memoryUsage().arrayBuffers - before < 10 * 1024 * 1024, 'nothing large was inflated');
});

test('an XLSX with too many entries is refused; an honest one passes the check', async () => {
  const many = zip(
    Array.from({ length: ZIP_LIMITS.maxEntries + 1 }, (_, i) => ({ name: `x${i}.xml`, data: Buffer.from('a') })),
  );
  assert.equal((await refusal(many))?.key, 'core.import.zip_too_large');
  assert.doesNotThrow(() => checkZip(zip([{ name: 'a.xml', data: Buffer.alloc(5000, 0x41) }])));
  // a sum of entries over the limit
  const parts = Array.from({ length: 3 }, (_, i) => ({
    name: `p${i}`,
    data: Buffer.from('a'),
    declared: 40 * 1024 * 1024,
  }));
  assert.equal((await refusal(zip(parts)))?.key, 'core.import.zip_too_large');
});
