// Worker thread entry: reads one spreadsheet (CSV/XLSX) off the main event loop. Plain JS so that
// it can register the TypeScript loader (tsx) before importing the reader, as bin/padu.mjs does.
// The sheet goes back in batches of rows, the next one only when the main thread asks for it: one
// structured clone of 100,000 rows would hold the main thread's event loop while it is decoded.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
register();
const { readSheet, SheetError } = await import('./tabular.ts');
try {
  const sheet = await readSheet(Buffer.from(workerData.file));
  const batch = workerData.batch;
  let next = 0;
  parentPort.on('message', () => {
    if (next >= sheet.rows.length) return parentPort.postMessage({ done: true });
    parentPort.postMessage({ rows: sheet.rows.slice(next, next + batch) });
    next += batch;
  });
  parentPort.postMessage({ ok: true, headers: sheet.headers, total: sheet.rows.length });
} catch (err) {
  parentPort.postMessage(
    err instanceof SheetError
      ? { ok: false, sheetError: { row: err.row, key: err.key, params: err.params } }
      : { ok: false, message: String(err?.message ?? err) },
  );
}
