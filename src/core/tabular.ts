// Reading the spreadsheets Pemda publish and exchange: XLSX (first worksheet) or CSV (`,` `;` or
// tab, UTF-8 or an old Windows-1252 Excel export). Every module's bulk import reads through here;
// rows keep their 1-based data row number (the header is row 0) for row-level error reports.
import zlib from 'node:zlib';
import type ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify, type Options as StringifyOptions, type Stringifier } from 'csv-stringify';

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
    readonly key: 'core.import.empty' | 'core.import.unreadable' | 'core.import.zip_too_large',
    readonly params: Record<string, string | number> = {},
  ) {
    super(key);
  }
}

export async function readSheet(file: Buffer): Promise<Sheet> {
  if (file.length === 0) throw new SheetError(0, 'core.import.empty');
  if (file[0] === 0x50 && file[1] === 0x4b) {
    // XLSX is a zip ("PK"): its size once unpacked is checked before anything is inflated
    checkZip(file);
    return readXlsx(file);
  }
  return readCsv(file);
}

// ---- zip bombs ---------------------------------------------------------------------------------------
/** Limits of an XLSX once unpacked: a 50 000-row import is ~25 MB of XML in ~10 parts. */
export const ZIP_LIMITS = { maxEntries: 1000, maxUncompressed: 100 * 1024 * 1024 };

/**
 * Read the zip's central directory (no inflating) and refuse past ZIP_LIMITS; then check that each
 * entry inflates to no more than the size it declares (inflated with that output cap, so a lying
 * header costs at most its declared size). exceljs itself would inflate everything in memory.
 */
export function checkZip(file: Buffer, limits = ZIP_LIMITS): void {
  const unreadable = () => new SheetError(0, 'core.import.unreadable');
  const tooLarge = (entries: number, size: number) =>
    new SheetError(0, 'core.import.zip_too_large', {
      entries,
      size: Math.ceil(size / (1024 * 1024)),
      maxEntries: limits.maxEntries,
      maxSize: Math.floor(limits.maxUncompressed / (1024 * 1024)),
    });
  // End of central directory: 22 bytes + a comment of up to 65 535 bytes, at the end of the file
  let eocd = -1;
  for (let i = file.length - 22; i >= Math.max(0, file.length - 22 - 0xffff); i--) {
    if (file.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw unreadable();
  const count = file.readUInt16LE(eocd + 10);
  const cdSize = file.readUInt32LE(eocd + 12);
  const cdOffset = file.readUInt32LE(eocd + 16);
  // ZIP64 (more than 65 535 entries or 4 GB) is never a spreadsheet Padu should unpack
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw tooLarge(count, Infinity);
  if (count > limits.maxEntries) throw tooLarge(count, 0);
  if (cdOffset + cdSize > eocd) throw unreadable();
  const entries: Array<{ method: number; compressed: number; size: number; local: number }> = [];
  let total = 0;
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || file.readUInt32LE(p) !== 0x02014b50) throw unreadable();
    const method = file.readUInt16LE(p + 10);
    const compressed = file.readUInt32LE(p + 20);
    const size = file.readUInt32LE(p + 24);
    if (size === 0xffffffff || compressed === 0xffffffff) throw tooLarge(count, Infinity);
    total += size;
    if (total > limits.maxUncompressed) throw tooLarge(count, total);
    entries.push({ method, compressed, size, local: file.readUInt32LE(p + 42) });
    p += 46 + file.readUInt16LE(p + 28) + file.readUInt16LE(p + 30) + file.readUInt16LE(p + 32);
  }
  for (const e of entries) {
    if (e.local + 30 > file.length || file.readUInt32LE(e.local) !== 0x04034b50) throw unreadable();
    const start = e.local + 30 + file.readUInt16LE(e.local + 26) + file.readUInt16LE(e.local + 28);
    const data = file.subarray(start, start + e.compressed);
    if (e.method === 0) {
      if (e.compressed !== e.size) throw unreadable();
    } else if (e.method === 8) {
      try {
        // one byte over the declared size is enough to catch a lie
        zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, e.size + 1) });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(count, Infinity);
        throw unreadable();
      }
    } else throw unreadable();
  }
}

// ---- CSV injection -------------------------------------------------------------------------------------
const PLAIN_NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;

/**
 * A text cell a spreadsheet would take for a formula (= + - @, or a leading tab/CR) is prefixed
 * with ' (OWASP "CSV injection"); plain numbers (a negative amount "-1500000") and a lone "-" stay
 * as they are, since they cannot run anything.
 */
export function csvSafe(v: string): string {
  if (v === '' || v === '-' || !/^[=+\-@\t\r]/.test(v) || PLAIN_NUMBER.test(v)) return v;
  return `'${v}`;
}

/** True for text a spreadsheet would run as a formula (imports refuse it in names). */
export function looksLikeFormula(v: string): boolean {
  return csvSafe(v) !== v;
}

/** csv-stringify with every string cell passed through csvSafe: use it for every CSV export. */
export function safeCsvStringifier(opts: StringifyOptions = {}): Stringifier {
  return stringify({ ...opts, cast: { ...opts.cast, string: (v: string) => csvSafe(v) } });
}

/** Header cells compared loosely: " Nama Kepala " and "nama-kepala" are both "nama_kepala". */
export const normHeader = (h: string): string =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

const nonEmpty = (r: { cells: string[] }) => r.cells.some((c) => c.trim() !== '');

async function readXlsx(file: Buffer): Promise<Sheet> {
  // loaded on first use: exceljs takes a second to load, which a CSV read (in a fresh worker
  // thread for a large file) need not pay
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
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
