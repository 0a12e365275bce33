// The worker-thread reader hands a large sheet back in batches: same rows, in order, as readSheet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSheet, SheetError } from './tabular.ts';
import { readSheetOffThread } from './tabular-async.ts';

test('a sheet over 512 KB read off-thread in batches equals the in-place read (rows, numbers, order)', async () => {
  const lines = ['kode;nama;harga'];
  // empty lines in between: the data row numbers skip them, in every batch
  for (let i = 1; i <= 12_345; i++) lines.push(i % 1000 === 0 ? '' : `1.2.${i};"Barang ${i}; ""uji""";${i * 1000}`);
  const file = Buffer.from(`${lines.join('\r\n')}\r\n`.padEnd(600 * 1024, ' ')); // a blank last line
  assert.ok(file.length >= 512 * 1024);
  const inPlace = await readSheet(file);
  for (const batch of [1_000, 5_000, 100_000]) {
    const off = await readSheetOffThread(file, batch);
    assert.deepEqual(off, inPlace, `batch ${batch}`);
  }
  assert.equal(inPlace.rows.length, 12_345 - 12);
  assert.deepEqual(inPlace.rows.at(-1), { row: 12_345, cells: ['1.2.12345', 'Barang 12345; "uji"', '12345000'] });
});

test('an unreadable large file reports its SheetError from the worker', async () => {
  const zipLike = Buffer.concat([Buffer.from('PK'), Buffer.alloc(600 * 1024, 1)]);
  await assert.rejects(readSheetOffThread(zipLike), (err: unknown) => {
    assert.ok(err instanceof SheetError);
    assert.equal(err.key, 'core.import.unreadable');
    return true;
  });
});
