// Bulk import of master data from CSV or XLSX: all or nothing. Every row is validated first (the
// same schemas and hooks as a single create, against the database plus the rows above it in the
// file); if any row is bad the report lists each (row, column, reason) and nothing is written.
// Otherwise the rows are upserted by code in one transaction with one audit entry for the file.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { requirePermission } from '../../core/auth/policy.ts';
import { normHeader, SheetError, type ImportError, type Sheet } from '../../core/tabular.ts';
import { readSheetOffThread } from '../../core/tabular-async.ts';
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { AppError, fieldError } from '../../core/errors.ts';
import { translator, zodIssueMessage, type Lang } from '../../core/i18n/i18n.ts';
import type { Principal } from '../../core/roles.ts';
import { getPemda } from '../../core/tenancy.ts';
import { ImportLookup, anyDb } from './master-data.repository.ts';
import { currentYear, inputView, readStrings } from './master-data.service.ts';
import { masterDataMessages } from './messages.ts';
import {
  resourceOf,
  type ImportRecord,
  type InputDef,
  type Prepared,
  type ResourceDef,
  type Row,
  type WriteCtx,
} from './resources.ts';

// Imports also run without a request (CLI, seeds): error reasons are translated with core's and
// this module's messages.
const t = translator(masterDataMessages);

export type { ImportError, Sheet };

export type ImportResult =
  | { ok: true; count: number; inserted: number; updated: number; unchanged: number }
  | { ok: false; errors: ImportError[] };

export interface ImportOptions {
  /** Fiscal year for nomenclature and accounts (default: this year). */
  year?: number;
  onProgress?: (done: number, total: number) => void;
  /** Language of the error reasons (default Indonesian). */
  lang?: Lang;
  fileName?: string;
  /** 'upsert' (default) inserts new codes and updates existing ones; 'seed' only inserts missing codes. */
  mode?: 'upsert' | 'seed';
}

export const MAX_IMPORT_ROWS = 100_000;
const MAX_REPORTED_ERRORS = 500;

/** The importable inputs of a resource with their header names. */
export function importColumns(def: ResourceDef): Array<InputDef & { import: NonNullable<InputDef['import']> }> {
  return def.inputs.filter((i): i is InputDef & { import: NonNullable<InputDef['import']> } => Boolean(i.import));
}

/** A CSV with the header row of a resource (the downloadable template). */
export function templateCsv(def: ResourceDef): string {
  return `${importColumns(def)
    .map((c) => c.import.header)
    .join(',')}\r\n`;
}

class ImportFailed extends Error {
  constructor(readonly errors: ImportError[]) {
    super('import failed');
  }
}

/** Import a file of one kind (organisations, nomenclature, accounts, regions, funding-sources, units). */
export async function importFile(
  db: Db,
  actor: Principal,
  kind: string,
  file: Buffer,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const def = resourceOf(kind);
  if (!def) throw fieldError('kind', 'md.import.unknown_kind', { kind });
  requirePermission(actor, def.importPermission);
  let sheet: Sheet;
  try {
    sheet = await readSheetOffThread(file);
  } catch (err) {
    if (err instanceof SheetError)
      return { ok: false, errors: [{ row: err.row, column: '', reason: t(opts.lang ?? 'id', err.key, err.params) }] };
    throw err;
  }
  const sha256 = createHash('sha256').update(file).digest('hex');
  return importSheet(db, actor, def, sheet, { ...opts, sha256 });
}

export async function importSheet(
  db: Db,
  actor: Principal,
  def: ResourceDef,
  sheet: Sheet,
  opts: ImportOptions & { sha256?: string } = {},
): Promise<ImportResult> {
  const lang = opts.lang ?? 'id';
  const errors: ImportError[] = [];
  const fail = (row: number, column: string, key: string, params?: Record<string, string | number>) => {
    errors.push({ row, column, reason: /\s/.test(key) ? key : t(lang, key, params) });
  };

  // ---- header → inputs
  const columns = importColumns(def);
  const headerOf = new Map<string, string>(); // input name → header as written
  const indexOf = new Map<string, number>(); // input name → cell index
  sheet.headers.forEach((h, idx) => {
    const n = normHeader(h);
    if (!n) return;
    const col = columns.find((c) => c.import.header === n || c.import.aliases?.includes(n));
    if (!col) return; // unknown columns (e.g. "status", "keterangan") are ignored
    if (indexOf.has(col.name)) return fail(0, h.trim(), 'md.import.duplicate_column');
    indexOf.set(col.name, idx);
    headerOf.set(col.name, h.trim());
  });
  for (const c of columns)
    if (c.import.required && !indexOf.has(c.name)) fail(0, c.import.header, 'md.import.missing_column');
  if (sheet.rows.length === 0) fail(0, '', 'md.import.empty');
  if (sheet.rows.length > MAX_IMPORT_ROWS) fail(0, '', 'md.import.too_many_rows', { max: MAX_IMPORT_ROWS });
  if (errors.length) return { ok: false, errors };
  const columnOf = (field: string) =>
    headerOf.get(field) ?? def.inputs.find((i) => i.name === field)?.import?.header ?? field;

  const year = def.yearly ? (opts.year ?? currentYear()) : null;
  if (year !== null && (!Number.isInteger(year) || year < 2000 || year > 2100))
    throw fieldError('year', 'md.error.year_format');
  const mode = opts.mode ?? 'upsert';

  const cellsOf = [...indexOf];
  let records: ImportRecord[] = [];
  for (const r of sheet.rows) {
    const raw: Record<string, string> = {};
    for (const [name, idx] of cellsOf) raw[name] = r.cells[idx] ?? '';
    records.push({ row: r.row, raw });
    if (records.length % SLICE === 0) await yieldToLoop();
  }

  try {
    return await mutate(db, actor, async (uow) => {
      const lookup = new ImportLookup(anyDb(uow.trx), actor.pemdaId, def, year);
      await lookup.load();
      const pemda = await getPemda(uow.trx as unknown as Db, actor.pemdaId);
      const ctx: WriteCtx = {
        trx: uow.trx,
        pemdaId: actor.pemdaId,
        pemdaCode: pemda?.code ?? '',
        principal: actor,
        lookup,
        year,
        audit: (e) => uow.audit({ entity: def.entity, ...e }),
      };
      if (def.expandImport) records = def.expandImport(records, lookup, (row, key) => fail(row, columnOf('code'), key));
      // parents sort before their children (a parent's code is a prefix, or ends in 0000); each
      // code is split into its segments once, not at every comparison
      records = await sortByCode(records);
      await yieldToLoop();

      // ---- validate every row
      const valid: Array<{ rec: ImportRecord; prep: Prepared; existing: Row | null }> = [];
      const present = [...indexOf.keys()];
      const total = records.length;
      let sliceStart = performance.now();
      for (const [i, rec] of records.entries()) {
        if (errors.length >= MAX_REPORTED_ERRORS) break;
        if (i % 500 === 0) opts.onProgress?.(i, total * 2);
        // let the server answer other requests while a large file is validated: every 500 rows, and
        // sooner while the first rows run cold (before the JIT has compiled the schemas and hooks)
        if (i > 0 && (i % 500 === 0 || (i % 25 === 0 && performance.now() - sliceStart > SLICE_MS))) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
        const input = readStrings(def, rec.raw, 'file');
        if (year !== null) input.year = year;
        const parsed = def.createSchema.safeParse(input);
        if (!parsed.success) {
          for (const issue of parsed.error.issues)
            fail(rec.row, columnOf(String(issue.path[0] ?? '')), zodIssueMessage(t, lang, issue));
          continue;
        }
        const data = parsed.data as Row;
        const existing = lookup.own.get(data.code) ?? null;
        if (existing?.__pending) {
          fail(rec.row, columnOf('code'), 'md.import.duplicate_in_file', { code: data.code });
          continue;
        }
        if (existing && mode === 'seed') continue;
        try {
          const given = Object.fromEntries(present.map((n) => [n, data[n]]).filter(([, v]) => v !== undefined));
          const prep = await def.prepare(ctx, existing ? { ...inputView(def, existing), ...given } : data, existing);
          for (const col of def.uniqueColumns ?? []) {
            if (await lookup.isTaken(def.key, col, prep.values[col], existing?.id ?? null))
              throw fieldError(col, 'md.error.value_taken');
          }
          lookup.addPending(prep.values);
          valid.push({ rec, prep, existing });
        } catch (err) {
          if (!(err instanceof AppError) || err.status !== 400) throw err;
          for (const f of err.fields) fail(rec.row, columnOf(f.field), f.message, f.params);
          if (err.fields.length === 0) fail(rec.row, '', err.messageKey, err.params);
        }
      }
      if (errors.length) throw new ImportFailed(errors);

      // ---- write, parents first
      const written = await writeRows(ctx, def, valid, lookup, mode, (done) =>
        opts.onProgress?.(total + done, total * 2),
      );
      const changedAfter = (await def.afterImport?.(ctx, written)) ?? new Set<number>();
      opts.onProgress?.(total * 2, total * 2);
      const inserted = written.filter((w) => w.inserted).length;
      const updated = written.filter((w) => w.updated || (!w.inserted && changedAfter.has(w.id))).length;
      const count = valid.length;
      if (inserted + updated > 0) {
        uow.audit({
          action: mode === 'seed' ? 'seed' : 'import',
          entity: def.entity,
          entityId: year === null ? def.key : `${def.key}:${year}`,
          after: {
            kind: def.key,
            year,
            rows: count,
            inserted,
            updated,
            file: opts.fileName ?? null,
            sha256: opts.sha256 ?? null,
          },
        });
      }
      return { ok: true as const, count, inserted, updated, unchanged: count - inserted - updated };
    });
  } catch (err) {
    if (err instanceof ImportFailed) return { ok: false, errors: err.errors.sort((a, b) => a.row - b.row) };
    throw err;
  }
}

/** Rows between two yields to the event loop in the synchronous passes over a whole file. */
const SLICE = 5_000;
/** Longest run of validation between two yields, in ms. */
const SLICE_MS = 15;

/** A code's segments, with the number of each all-digit segment (NaN otherwise). */
interface CodeKey {
  segs: string[];
  nums: number[];
}
function codeKey(code: string): CodeKey {
  const segs = code.split('.');
  return { segs, nums: segs.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN)) };
}

/** Dotted codes compared segment by segment, numerically where both are numbers. */
function compareCodes(a: CodeKey, b: CodeKey): number {
  const n = Math.min(a.segs.length, b.segs.length);
  for (let i = 0; i < n; i++) {
    const x = a.segs[i]!;
    const y = b.segs[i]!;
    if (x === y) continue;
    const nx = a.nums[i]!;
    const ny = b.nums[i]!;
    if (!Number.isNaN(nx) && !Number.isNaN(ny) && nx !== ny) return nx - ny;
    return x < y ? -1 : 1;
  }
  return a.segs.length - b.segs.length;
}

/** The records in code order (then file order), each code's key computed once. */
async function sortByCode(records: ImportRecord[]): Promise<ImportRecord[]> {
  const keyed: Array<{ rec: ImportRecord; key: CodeKey }> = [];
  for (const rec of records) {
    keyed.push({ rec, key: codeKey(String(rec.raw.code ?? '').trim()) });
    if (keyed.length % SLICE === 0) await yieldToLoop();
  }
  await yieldToLoop();
  keyed.sort((a, b) => compareCodes(a.key, b.key) || a.rec.row - b.rec.row);
  return keyed.map((k) => k.rec);
}

/**
 * Rows per INSERT: up to 2,000 (building one statement holds the event loop; at 5,000 rows that was
 * 75–90 ms, at 2,000 under 45 ms), fewer for wide tables (PostgreSQL allows 65,535 parameters).
 */
const MAX_CHUNK = 2_000;
const chunkFor = (columns: number) => Math.max(1, Math.min(MAX_CHUNK, Math.floor(60_000 / Math.max(1, columns))));

async function writeRows(
  ctx: WriteCtx,
  def: ResourceDef,
  valid: Array<{ rec: ImportRecord; prep: Prepared; existing: Row | null }>,
  lookup: ImportLookup,
  mode: 'upsert' | 'seed',
  progress: (done: number) => void,
): Promise<Array<{ id: number; code: string; inserted: boolean; updated: boolean; prep: Prepared }>> {
  const db = anyDb(ctx.trx);
  const t = def.table;
  const ids = new Map<string, number>();
  for (const [code, r] of lookup.own) if (r.id) ids.set(code, r.id as number);
  // a row of the file that exists is pending in the lookup (no id there), and when it is unchanged
  // its INSERT … ON CONFLICT returns nothing: its children still need its id as their parent
  const existingIds = new Map<string, number>();
  for (const v of valid) if (v.existing?.id) existingIds.set(v.prep.values.code as string, v.existing.id as number);
  const parentIdOf = (code: string) => ids.get(code) ?? existingIds.get(code) ?? null;
  // generation = depth below a parent that is itself in the file (written in an earlier statement)
  const gen = new Map<string, number>();
  let maxGen = 0;
  for (const v of valid) {
    const p = v.prep.parentCode ?? null;
    const g = p !== null && gen.has(p) ? gen.get(p)! + 1 : 0;
    gen.set(v.prep.values.code, g);
    if (g > maxGen) maxGen = g;
  }
  await yieldToLoop();
  const keyCols = def.yearly ? ['pemda_id', 'year', 'code'] : ['pemda_id', 'code'];
  const out: Array<{ id: number; code: string; inserted: boolean; updated: boolean; prep: Prepared }> = [];
  const touched = new Map<string, { inserted: boolean }>();
  let done = 0;
  for (let g = 0; g <= maxGen; g++) {
    const batch = valid.filter((v) => gen.get(v.prep.values.code) === g);
    const columns = new Set(['pemda_id', 'parent_id']);
    for (const v of batch) for (const c of Object.keys(v.prep.values)) columns.add(c);
    const CHUNK = chunkFor(columns.size);
    for (let i = 0; i < batch.length; i += CHUNK) {
      const chunk = batch.slice(i, i + CHUNK);
      const rows = chunk.map((v) => ({
        pemda_id: ctx.pemdaId,
        ...v.prep.values,
        ...(def.parent === 'id' ? { parent_id: v.prep.parentCode ? parentIdOf(v.prep.parentCode) : null } : {}),
      }));
      const setCols = Object.keys(rows[0]!).filter((c) => !keyCols.includes(c));
      const res = (await db
        .insertInto(t)
        .values(rows)
        .onConflict((oc) => {
          const target = oc.columns(keyCols as never);
          if (mode === 'seed') return target.doNothing();
          return target
            .doUpdateSet({
              ...Object.fromEntries(setCols.map((c) => [c, sql.ref(`excluded.${c}`)])),
              version: sql`${sql.ref(`${t}.version`)} + 1`,
              updated_at: sql`now()`,
            })
            .where(
              sql<boolean>`(${sql.join(setCols.map((c) => sql.ref(`${t}.${c}`)))}) IS DISTINCT FROM (${sql.join(setCols.map((c) => sql.ref(`excluded.${c}`)))})`,
            );
        })
        .returning(['id', 'code', sql<boolean>`(xmax = 0)`.as('inserted')])
        .execute()) as Array<{ id: number; code: string; inserted: boolean }>;
      for (const r of res) {
        ids.set(r.code, r.id);
        touched.set(r.code, { inserted: r.inserted });
      }
      done += chunk.length;
      progress(done);
    }
  }
  for (const [i, v] of valid.entries()) {
    if (i > 0 && i % SLICE === 0) await yieldToLoop();
    const code = v.prep.values.code as string;
    // an unchanged existing row was not returned by its INSERT … ON CONFLICT: its id is the existing one
    const id = ids.get(code) ?? existingIds.get(code);
    if (id === undefined) continue; // seed mode: someone else inserted it meanwhile
    const tch = touched.get(code);
    out.push({ id, code, inserted: Boolean(tch?.inserted), updated: Boolean(tch && !tch.inserted), prep: v.prep });
  }
  return out;
}
