// Reading a large spreadsheet blocks for seconds (100,000 CSV rows, or an XLSX of any size): do it
// in a worker thread so the server keeps answering other requests meanwhile. Small files are read
// in place (a worker costs more than it saves).
import { Worker } from 'node:worker_threads';
import { readSheet, SheetError, type Sheet } from './tabular.ts';

const IN_PLACE_BELOW = 512 * 1024;

export async function readSheetOffThread(file: Buffer): Promise<Sheet> {
  if (file.length < IN_PLACE_BELOW) return readSheet(file);
  const copy = new Uint8Array(file); // the worker takes its own copy
  const msg = await new Promise<{
    ok: boolean;
    sheet?: Sheet;
    sheetError?: { row: number; key: 'core.import.empty' | 'core.import.unreadable' };
    message?: string;
  }>((resolve, reject) => {
    const w = new Worker(new URL('./tabular-worker.mjs', import.meta.url), {
      workerData: { file: copy },
      transferList: [copy.buffer],
    });
    w.once('message', (m) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`spreadsheet reader exited with ${code}`)));
  });
  if (msg.ok) return msg.sheet!;
  if (msg.sheetError) throw new SheetError(msg.sheetError.row, msg.sheetError.key);
  throw new Error(msg.message);
}
