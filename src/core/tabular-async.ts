// Reading a large spreadsheet blocks for seconds (100,000 CSV rows, or an XLSX of any size): do it
// in a worker thread so the server keeps answering other requests meanwhile. Small files are read
// in place (a worker costs more than it saves). The rows come back in batches, each asked for
// after the event loop had a turn, so decoding them never holds the loop for long.
import { Worker } from 'node:worker_threads';
import { readSheet, SheetError, type Sheet } from './tabular.ts';

const IN_PLACE_BELOW = 512 * 1024;
/** Rows per message from the worker. */
export const ROWS_PER_BATCH = 5_000;

type WorkerMessage =
  | { ok: true; headers: string[]; total: number }
  | { ok: false; sheetError?: Pick<SheetError, 'row' | 'key' | 'params'>; message?: string }
  | { rows: Sheet['rows'] }
  | { done: true };

export async function readSheetOffThread(file: Buffer, batch = ROWS_PER_BATCH): Promise<Sheet> {
  if (file.length < IN_PLACE_BELOW) return readSheet(file);
  const copy = new Uint8Array(file); // the worker takes its own copy
  const w = new Worker(new URL('./tabular-worker.mjs', import.meta.url), {
    workerData: { file: copy, batch },
    transferList: [copy.buffer],
  });
  try {
    return await new Promise<Sheet>((resolve, reject) => {
      let sheet: Sheet | null = null;
      const more = () => setImmediate(() => w.postMessage('more'));
      w.on('message', (m: WorkerMessage) => {
        if ('done' in m) return resolve(sheet!);
        if ('rows' in m) {
          for (const r of m.rows) sheet!.rows.push(r);
          return more();
        }
        if (m.ok) {
          sheet = { headers: m.headers, rows: [] };
          return more();
        }
        reject(
          m.sheetError ? new SheetError(m.sheetError.row, m.sheetError.key, m.sheetError.params) : new Error(m.message),
        );
      });
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`spreadsheet reader exited with ${code}`)));
    });
  } finally {
    void w.terminate();
  }
}
