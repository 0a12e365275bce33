// Reading the spreadsheets Pemda publish and exchange: XLSX (first worksheet) or CSV (`,` `;` or
// tab, UTF-8 or an old Windows-1252 Excel export). Every module's bulk import reads through here;
// rows keep their 1-based data row number (the header is row 0) for row-level error reports.
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';

export interface Sheet {
  headers: string[];
  /** Non-empty data rows with their 1-based data row number. */
  rows: Array<{ row: number; cells: string[] }>;
}

/** One problem of an import: the data row (0 = header or the whole file), the column as written, why. */
export interface ImportError {
  row: number;
  column: string;
  reason: string;
}

/** The file could not be read at all; `key` is an i18n key (core.import.*). */
export class SheetError extends Error {
  constructor(
    readonly row: number,
    readonly key: 'core.import.empty' | 'core.import.unreadable',
  ) {
    super(key);
  }
}

export async function readSheet(file: Buffer): Promise<Sheet> {
  if (file.length === 0) throw new SheetError(0, 'core.import.empty');
  return file[0] === 0x50 && file[1] === 0x4b ? readXlsx(file) : readCsv(file); // XLSX is a zip: "PK"
}

/** Header cells compared loosely: " Nama Kepala " and "nama-kepala" are both "nama_kepala". */
export const normHeader = (h: string): string =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

const nonEmpty = (r: { cells: string[] }) => r.cells.some((c) => c.trim() !== '');

async function readXlsx(file: Buffer): Promise<Sheet> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(file as unknown as ArrayBuffer);
  } catch {
    throw new SheetError(0, 'core.import.unreadable');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new SheetError(0, 'core.import.empty');
  const all: Array<{ row: number; cells: string[] }> = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c)));
    all.push({ row: rowNumber, cells });
  });
  const [head, ...rows] = all;
  if (!head) throw new SheetError(0, 'core.import.empty');
  return { headers: head.cells, rows: rows.map((r) => ({ row: r.row - head.row, cells: r.cells })).filter(nonEmpty) };
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  // Numbers stay exact only as safe integers. A long number typed into a number cell (a NIP, a
  // price above 2^53) has lost digits and a fraction is not rupiah: both are passed on in a form
  // that validation refuses, never rounded silently.
  if (typeof v === 'number')
    return Number.isSafeInteger(v) ? BigInt(v).toString() : Number.isInteger(v) ? v.toExponential() : String(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && 'result' in v && v.result !== undefined && v.result !== null) return String(v.result);
  try {
    return cell.text ?? '';
  } catch {
    return String(v);
  }
}

function readCsv(file: Buffer): Sheet {
  let text = file.toString('utf8');
  if (text.includes('\uFFFD')) text = file.toString('latin1'); // an old Excel export (Windows-1252)
  text = text.replace(/^\uFEFF/, '');
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const count = (ch: string) => firstLine.split(ch).length - 1;
  const delimiter = [';', '\t', ','].reduce((best, ch) => (count(ch) > count(best) ? ch : best), ',');
  let records: string[][];
  try {
    records = parseCsv(text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
      trim: false,
    }) as string[][];
  } catch (err) {
    throw new SheetError(Math.max(0, Number((err as { lines?: number }).lines ?? 1) - 1), 'core.import.unreadable');
  }
  const [head, ...rest] = records;
  if (!head) throw new SheetError(0, 'core.import.empty');
  return { headers: head, rows: rest.map((cells, i) => ({ row: i + 1, cells })).filter(nonEmpty) };
}
