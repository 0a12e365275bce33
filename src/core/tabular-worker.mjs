// Worker thread entry: reads one spreadsheet (CSV/XLSX) off the main event loop. Plain JS so that
// it can register the TypeScript loader (tsx) before importing the reader, as bin/padu.mjs does.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
register();
const { readSheet, SheetError } = await import('./tabular.ts');
try {
  const sheet = await readSheet(Buffer.from(workerData.file));
  parentPort.postMessage({ ok: true, sheet });
} catch (err) {
  parentPort.postMessage(
    err instanceof SheetError
      ? { ok: false, sheetError: { row: err.row, key: err.key } }
      : { ok: false, message: String(err?.message ?? err) },
  );
}
