// The streaming XLSX writer holds back a fast producer: exceljs pipes a sheet into archiver's
// compressor without back-pressure, so without `settle` a whole sheet's XML waits in memory (the
// +153 MB of Penjabaran II at 1M lines). `waitingBytes` must see what waits (archiver's PassThrough
// has no writableLength) and `settle` must bring it down before the next rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { settle, waitingBytes, writeXlsx, type Doc } from './render.ts';
import type { ReportRow } from './engine.ts';
import { countingSink } from '../../../testing/streams.ts';

const slowSink = () => countingSink(16 * 1024);

test('settle: what waits before the compressor is seen and brought under 64 KB before more rows are added', async () => {
  const out = slowSink();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('x');
  let maxSeen = 0;
  for (let i = 0; i < 30_000; i++) {
    ws.addRow([`5.1.02.01.01.${i}`, `Belanja baris nomor ${i} dengan nama yang cukup panjang`, i * 1000]).commit();
    if (i % 200 === 199) {
      maxSeen = Math.max(maxSeen, waitingBytes(ws));
      await settle(ws, out);
      assert.ok(waitingBytes(ws) <= 64 * 1024, `after settle ${waitingBytes(ws)} bytes still wait`);
    }
  }
  assert.ok(maxSeen > 64 * 1024, `the producer outruns the compressor and waitingBytes sees it (max ${maxSeen})`);
  ws.commit();
  await wb.commit();
  assert.ok(out.bytes > 100_000);
});

test('writeXlsx pulls rows only as fast as they are compressed and sent: a stalled client stops the producer', async () => {
  let pulled = 0;
  let release!: () => void;
  const stalled = new Promise<void>((r) => (release = r));
  let written = 0;
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      written += chunk.length;
      // the client stops reading after the first 64 KB until released
      if (written > 64 * 1024) void stalled.then(() => setImmediate(cb));
      else setImmediate(cb);
    },
  });
  async function* rows(): AsyncGenerator<ReportRow> {
    for (let i = 0; i < 100_000; i++) {
      pulled++;
      yield {
        level: 3,
        kind: 'account',
        key: null,
        code: `5.1.02.01.01.${i}`,
        name: `Belanja ${i}`,
        values: [BigInt(i) * 1000n],
        previous: null,
      } as unknown as ReportRow;
    }
  }
  const doc: Doc = {
    fileBase: 'x',
    attachment: 'Lampiran',
    title: 'Penjabaran',
    pemdaName: 'Demo',
    year: 2027,
    stageName: 'Murni',
    info: [],
    measures: ['Jumlah'],
    compared: null,
    rows: rows(),
    signatures: [],
    lang: 'id',
  };
  const done = writeXlsx(doc, out);
  await new Promise((r) => setTimeout(r, 1500));
  const whileStalled = pulled;
  assert.ok(whileStalled < 20_000, `a stalled client holds the producer back (${whileStalled} of 100,000 rows pulled)`);
  release();
  await done;
  assert.equal(pulled, 100_000);
});
