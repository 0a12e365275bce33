// Bulk import of catalogue items of one fiscal year from CSV or XLSX: all or nothing. Every row is
// checked first (format, accounts against that year's chart of accounts, duplicates in the file,
// SBU slots); any error → a report of (row, column, reason) and nothing is written. Otherwise, in
// one transaction: new codes become items with an approved version 1; a changed price, name,
// spec, unit, TKDN or account list of an existing code becomes its next approved version, each
// audited as a price change; unchanged rows are left alone.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { looksLikeFormula, normHeader, SheetError, type ImportError, type Sheet } from '../../core/tabular.ts';
import { readSheetOffThread } from '../../core/tabular-async.ts';
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { conflict, fieldError } from '../../core/errors.ts';
import { translator, type Lang } from '../../core/i18n/i18n.ts';
import { catalogueMessages } from './messages.ts';
import type { Principal } from '../../core/roles.ts';
import { getAccount, isLeafAccount } from '../master-data/index.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { bulkInsertItems, bulkInsertVersions } from './bulk.ts';
import {
  CODE_RE,
  KINDS,
  parsePrice,
  SBU_COMPONENTS,
  checkSbu,
  normaliseTkdn,
  sameVersion,
  snapshot,
  splitAccounts,
  type CatalogueKind,
  type NewItemRow,
  type NewVersionRow,
  type SbuComponent,
  type SbuInfo,
} from './catalogue.service.ts';

// Imports also run without a request (CLI, seeds): error reasons are translated with core's and
// this module's messages.
const t = translator(catalogueMessages);

export type { ImportError, Sheet };

export type ImportResult =
  | { ok: true; count: number; created: number; updated: number; unchanged: number }
  | { ok: false; errors: ImportError[] };

export interface ImportOptions {
  year: number;
  /** Called as rows are validated and written (CLI progress bar, import job status). */
  onProgress?: ImportProgress;
  /** Language of the error reasons (default Indonesian). */
  lang?: Lang;
}

/** Columns: canonical header (Indonesian), accepted aliases, required. */
export const IMPORT_COLUMNS = [
  { name: 'kind', header: 'jenis', aliases: ['kind', 'kelompok', 'jenis_standar'], required: true },
  { name: 'code', header: 'kode', aliases: ['code', 'kode_barang', 'kode_komponen'], required: true },
  { name: 'name', header: 'nama', aliases: ['name', 'uraian', 'nama_komponen', 'nama_barang'], required: true },
  { name: 'spec', header: 'spesifikasi', aliases: ['spec', 'specification'], required: false },
  { name: 'unit', header: 'satuan', aliases: ['unit'], required: true },
  { name: 'price', header: 'harga', aliases: ['price', 'harga_satuan'], required: true },
  { name: 'tkdn', header: 'tkdn', aliases: ['tkdn_%', 'tkdn_persen'], required: false },
  { name: 'accounts', header: 'akun', aliases: ['accounts', 'kode_akun', 'rekening', 'kode_rekening'], required: true },
  { name: 'sbu_component', header: 'komponen_sbu', aliases: ['sbu_component'], required: false },
  { name: 'province', header: 'provinsi', aliases: ['province'], required: false },
  { name: 'travel_kind', header: 'jenis_perjalanan', aliases: ['travel_kind'], required: false },
  { name: 'grade', header: 'golongan', aliases: ['grade', 'tingkat'], required: false },
  { name: 'note', header: 'keterangan', aliases: ['note', 'catatan'], required: false },
] as const;
type ColumnName = (typeof IMPORT_COLUMNS)[number]['name'];

export const MAX_IMPORT_ROWS = 200_000;
/** Rows validated between two yields to the event loop (the server keeps answering meanwhile). */
const YIELD_EVERY = 500;
/** Existing items put into the lookup maps between two yields. */
const YIELD_EVERY_MAP = 5_000;

export interface ImportProgress {
  (done: number, total: number, phase: 'validate' | 'write'): void;
}
const MAX_REPORTED_ERRORS = 500;

/** A CSV with the header row (the downloadable template) and one example row. */
export function templateCsv(): string {
  return (
    `${IMPORT_COLUMNS.map((c) => c.header).join(',')}\r\n` +
    `SSH,1.1.12.01.01.0001,Kertas HVS A4 80 gram,"210 x 297 mm, 500 lembar",Rim,65000,40,5.1.02.01.01.0024,,,,,\r\n`
  );
}

interface ParsedRow {
  row: number;
  kind: CatalogueKind;
  code: string;
  name: string;
  spec: string;
  unit: string;
  price: bigint;
  tkdn: string | null;
  accounts: string[];
  sbu: SbuInfo | null;
  note: string;
}

const sbuSlot = (s: SbuInfo) =>
  `${s.component}|${(s.province ?? '').toLowerCase()}|${s.travelKind ?? ''}|${s.grade ?? ''}`;

/** Import a catalogue file into one fiscal year (Tim Data, admin). */
export async function importCatalogue(
  db: Db,
  actor: Principal,
  file: Buffer,
  opts: ImportOptions,
): Promise<ImportResult> {
  requirePermission(actor, 'cat.manage');
  const lang = opts.lang ?? 'id';
  let sheet: Sheet;
  try {
    sheet = await readSheetOffThread(file);
  } catch (err) {
    if (err instanceof SheetError)
      return { ok: false, errors: [{ row: 0, column: '', reason: t(lang, err.key, err.params) }] };
    throw err;
  }
  const sha256 = createHash('sha256').update(file).digest('hex');
  return importSheet(db, actor, sheet, { ...opts, sha256 });
}

/**
 * Import rows already read (also used by the demo seed with source 'seed'). Nothing is written
 * when every row is unchanged.
 */
export async function importSheet(
  db: Db,
  actor: Principal,
  sheet: Sheet,
  opts: ImportOptions & { sha256?: string; source?: 'import' | 'seed' },
): Promise<ImportResult> {
  requirePermission(actor, 'cat.manage');
  const lang = opts.lang ?? 'id';
  const year = opts.year;
  const source = opts.source ?? 'import';
  const sha256 = opts.sha256 ?? null;
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw fieldError('year', 'cat.error.year');
  const errors: ImportError[] = [];
  const fail = (row: number, column: string, key: string, params?: Record<string, string | number>) => {
    errors.push({ row, column, reason: t(lang, key, params) });
  };

  // ---- header
  const indexOf = new Map<ColumnName, number>();
  const headerOf = new Map<ColumnName, string>();
  sheet.headers.forEach((h, idx) => {
    const n = normHeader(h);
    if (!n) return;
    const col = IMPORT_COLUMNS.find((c) => c.header === n || (c.aliases as readonly string[]).includes(n));
    if (!col) return; // unknown columns (e.g. "no", "status") are ignored
    if (indexOf.has(col.name)) return fail(0, h.trim(), 'cat.import.duplicate_column');
    indexOf.set(col.name, idx);
    headerOf.set(col.name, h.trim());
  });
  for (const c of IMPORT_COLUMNS)
    if (c.required && !indexOf.has(c.name)) fail(0, c.header, 'cat.import.missing_column');
  if (sheet.rows.length === 0) fail(0, '', 'cat.import.empty');
  if (sheet.rows.length > MAX_IMPORT_ROWS) fail(0, '', 'cat.import.too_many_rows', { max: MAX_IMPORT_ROWS });
  if (errors.length) return { ok: false, errors };
  const col = (name: ColumnName) => headerOf.get(name) ?? IMPORT_COLUMNS.find((c) => c.name === name)!.header;

  // ---- rows
  const parsed: ParsedRow[] = [];
  const seenCode = new Map<string, number>();
  const seenSlot = new Map<string, number>();
  const accountRows = new Map<string, number[]>();
  const total = sheet.rows.length;
  let done = 0;
  // column positions looked up once, not per cell; a file names a few dozen accounts, each checked once
  const position = new Map(IMPORT_COLUMNS.map((c) => [c.name, indexOf.get(c.name) ?? -1]));
  const leaf = new Map<string, boolean>();
  for (const r of sheet.rows) {
    if (++done % YIELD_EVERY === 0) {
      opts.onProgress?.(done, total, 'validate');
      await yieldToLoop();
    }
    const cells = r.cells;
    const cell = (name: ColumnName) => {
      const at = position.get(name)!;
      return at < 0 ? '' : (cells[at] ?? '').trim();
    };
    const before = errors.length;
    const kind = cell('kind').toUpperCase();
    if (!(KINDS as readonly string[]).includes(kind))
      fail(r.row, col('kind'), 'cat.import.kind', { allowed: KINDS.join(', ') });
    const code = cell('code');
    if (!CODE_RE.test(code)) fail(r.row, col('code'), 'cat.error.code_format');
    const name = cell('name');
    if (!name) fail(r.row, col('name'), 'field.required');
    else if (name.length > 300) fail(r.row, col('name'), 'cat.import.too_long', { max: 300 });
    else if (looksLikeFormula(name)) fail(r.row, col('name'), 'core.import.formula');
    const spec = cell('spec');
    if (spec.length > 2000) fail(r.row, col('spec'), 'cat.import.too_long', { max: 2000 });
    else if (looksLikeFormula(spec)) fail(r.row, col('spec'), 'core.import.formula');
    const unit = cell('unit');
    if (!unit) fail(r.row, col('unit'), 'field.required');
    else if (unit.length > 50) fail(r.row, col('unit'), 'cat.import.too_long', { max: 50 });
    else if (looksLikeFormula(unit)) fail(r.row, col('unit'), 'core.import.formula');
    const price = parsePrice(cell('price'));
    if (price === null) fail(r.row, col('price'), 'cat.error.price_format');
    const tkdn = normaliseTkdn(cell('tkdn'));
    if (tkdn === 'invalid') fail(r.row, col('tkdn'), 'cat.error.tkdn_format');
    const accounts = splitAccounts(cell('accounts'));
    if (accounts.length === 0) fail(r.row, col('accounts'), 'cat.error.accounts_required');
    for (const a of accounts) {
      let isLeaf = leaf.get(a);
      if (isLeaf === undefined) leaf.set(a, (isLeaf = isLeafAccount(a)));
      if (!isLeaf) fail(r.row, col('accounts'), 'cat.error.account_not_leaf', { code: a });
      else {
        const rows = accountRows.get(a);
        if (rows) rows.push(r.row);
        else accountRows.set(a, [r.row]);
      }
    }
    const component = cell('sbu_component');
    let sbu: SbuInfo | null = null;
    if (component) {
      if (!(SBU_COMPONENTS as readonly string[]).includes(component)) {
        fail(r.row, col('sbu_component'), 'cat.import.sbu_component', { allowed: SBU_COMPONENTS.join(', ') });
      } else {
        const checked = checkSbu(kind as CatalogueKind, {
          component: component as SbuComponent,
          province: cell('province') || null,
          travel_kind: cell('travel_kind') || null,
          grade: cell('grade') || null,
        });
        const sbuColumn: Record<string, ColumnName> = {
          'sbu.component': 'sbu_component',
          'sbu.province': 'province',
          'sbu.travel_kind': 'travel_kind',
          'sbu.grade': 'grade',
        };
        for (const e of checked.errors) fail(r.row, col(sbuColumn[e.field] ?? 'sbu_component'), e.message, e.params);
        sbu = checked.value;
      }
    } else if (cell('province') || cell('travel_kind') || cell('grade')) {
      fail(r.row, col('sbu_component'), 'field.required');
    }
    const key = `${kind}|${code}`;
    if (CODE_RE.test(code) && seenCode.has(key))
      fail(r.row, col('code'), 'cat.import.duplicate_code', { row: seenCode.get(key)! });
    else seenCode.set(key, r.row);
    if (sbu && errors.length === before) {
      const slot = sbuSlot(sbu);
      if (seenSlot.has(slot))
        fail(r.row, col('sbu_component'), 'cat.import.duplicate_slot', { row: seenSlot.get(slot)! });
      else seenSlot.set(slot, r.row);
    }
    if (errors.length === before) {
      parsed.push({
        row: r.row,
        kind: kind as CatalogueKind,
        code,
        name,
        spec,
        unit,
        price: price!,
        tkdn: tkdn as string | null,
        accounts,
        sbu,
        note: cell('note'),
      });
    }
    if (errors.length >= MAX_REPORTED_ERRORS) break;
  }

  // ---- accounts against that year's chart of accounts (each distinct code once)
  for (const [code, rows] of accountRows) {
    const acc = await getAccount(db, actor.pemdaId, year, code);
    if (!acc || !acc.active)
      for (const row of rows) fail(row, col('accounts'), 'cat.error.account_unknown', { code, year });
  }

  // ---- against the items of that year
  const existing = await loadExisting(db, actor.pemdaId, year, parsed);
  const slotOwner = await loadSlotOwners(db, actor.pemdaId, year);
  const created: ParsedRow[] = [];
  const changed: Array<{ row: ParsedRow; cur: ExistingItem }> = [];
  let unchanged = 0;
  opts.onProgress?.(total, total, 'validate');
  for (const [i, p] of parsed.entries()) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
    const key = `${p.kind}|${p.code}`;
    const cur = existing.get(key);
    if (p.sbu) {
      const owner = slotOwner.get(sbuSlot(p.sbu));
      if (owner && owner !== key)
        fail(p.row, col('sbu_component'), 'cat.import.slot_taken', { code: owner.split('|')[1]! });
    }
    if (!cur) {
      created.push(p);
      continue;
    }
    if (sbuSlot(cur.sbu ?? emptySbu) !== sbuSlot(p.sbu ?? emptySbu)) {
      fail(p.row, col('sbu_component'), 'cat.import.sbu_immutable');
      continue;
    }
    if (sameVersion(cur, { ...p, price: p.price.toString() })) unchanged++;
    else changed.push({ row: p, cur });
  }
  if (errors.length) {
    errors.sort((a, b) => a.row - b.row);
    return { ok: false, errors: errors.slice(0, MAX_REPORTED_ERRORS) };
  }

  if (created.length === 0 && changed.length === 0) return { ok: true, count: 0, created: 0, updated: 0, unchanged };

  // ---- write, all or nothing
  const result = await mutate(db, actor, async (uow) => {
    if (changed.length) {
      // lock the changed items; a version approved since we read them makes the file stale
      // one array parameter (an IN list of 100,000 ids would pass PostgreSQL's 65,535 parameters)
      const ids = changed.map((c) => c.cur.id);
      const locked = await sql<{ id: number; current_version: number }>`SELECT id, current_version FROM cat_item
        WHERE pemda_id = ${actor.pemdaId} AND id = ANY(${ids}::int[]) FOR UPDATE`.execute(uow.trx);
      const now = new Map(locked.rows.map((l) => [l.id, l.current_version]));
      for (const c of changed) if (now.get(c.cur.id) !== c.cur.version) throw conflict('error.conflict');
    }
    // 100,000 rows become 100,000 objects more than once: built in slices with a yield in between
    const newItems: NewItemRow[] = [];
    for (const [i, p] of created.entries()) {
      if (i % YIELD_EVERY_MAP === YIELD_EVERY_MAP - 1) await yieldToLoop();
      newItems.push({ year, kind: p.kind, code: p.code, name: p.name, sbu: p.sbu });
    }
    opts.onProgress?.(0, created.length + changed.length, 'write');
    const ids = await bulkInsertItems(uow.trx, actor.pemdaId, newItems);
    const versions: NewVersionRow[] = [];
    for (const [i, p] of created.entries()) {
      if (i % YIELD_EVERY_MAP === YIELD_EVERY_MAP - 1) await yieldToLoop();
      versions.push({ itemId: ids.get(`${year}|${p.kind}|${p.code}`)!, version: 1, ...fieldsOf(p, source) });
    }
    for (const [i, { row: p, cur }] of changed.entries()) {
      if (i % YIELD_EVERY_MAP === YIELD_EVERY_MAP - 1) await yieldToLoop();
      versions.push({ itemId: cur.id, version: cur.version + 1, ...fieldsOf(p, source) });
    }
    await bulkInsertVersions(uow.trx, actor, versions, (written) =>
      opts.onProgress?.(written, versions.length, 'write'),
    );
    if (changed.length) {
      // make the new versions current in one statement
      await sql`UPDATE cat_item AS i SET current_version = i.current_version + 1, name = v.name, updated_at = now()
        FROM cat_item_version AS v
        WHERE i.pemda_id = ${actor.pemdaId} AND v.pemda_id = i.pemda_id AND v.item_id = i.id
          AND v.version = i.current_version + 1
          AND i.id = ANY(${changed.map((c) => c.cur.id)}::int[])`.execute(uow.trx);
    }
    for (const [i, { row: p, cur }] of changed.entries()) {
      if (i % YIELD_EVERY_MAP === YIELD_EVERY_MAP - 1) await yieldToLoop();
      uow.audit({
        action: 'price_change',
        entity: 'cat_item',
        entityId: cur.id,
        before: snapshot(cur),
        after: { ...snapshot({ ...p, version: cur.version + 1, price: p.price.toString() }), via: source, sha256 },
      });
    }
    uow.audit({
      action: source,
      entity: 'cat_item',
      entityId: `import:${year}`,
      after: {
        year,
        sha256,
        rows: parsed.length,
        created: created.length,
        updated: changed.length,
        unchanged,
        created_codes: created.map((p) => `${p.kind} ${p.code}`).slice(0, 1000),
      },
    });
    opts.onProgress?.(created.length + changed.length, created.length + changed.length, 'write');
    return {
      ok: true as const,
      count: created.length + changed.length,
      created: created.length,
      updated: changed.length,
      unchanged,
    };
  });
  // fresh planner statistics after a bulk load (the search joins items, versions and accounts)
  if (result.count >= ANALYZE_AFTER_ROWS) await analyzeCatalogue(db);
  return result;
}

const ANALYZE_AFTER_ROWS = 200;

export async function analyzeCatalogue(db: Db): Promise<void> {
  for (const table of ['cat_item', 'cat_item_version', 'cat_item_account'])
    await sql`ANALYZE ${sql.table(table)}`.execute(db);
}

const emptySbu: SbuInfo = { component: '' as SbuComponent, province: null, travelKind: null, grade: null };

function fieldsOf(p: ParsedRow, source: 'import' | 'seed') {
  return {
    name: p.name,
    spec: p.spec,
    unit: p.unit,
    price: p.price,
    tkdn: p.tkdn,
    accounts: p.accounts,
    source,
    note: p.note,
  };
}

interface ExistingItem {
  id: number;
  version: number;
  kind: CatalogueKind;
  code: string;
  name: string;
  spec: string;
  unit: string;
  price: string;
  tkdn: string | null;
  accounts: string[];
  active: boolean;
  sbu: SbuInfo | null;
}

/**
 * The year's items whose kind and code appear in the file (with their current version and
 * accounts): what the rows are compared with. Only those: a year can hold 100,000s of items, and
 * reading all of them made an import's cost grow with the year instead of the file. The codes go
 * as two newline-joined text parameters (codes never hold a newline), not as 100,000-element
 * arrays that pg would serialise element by element on the event loop.
 */
async function loadExisting(
  db: Db,
  pemdaId: number,
  year: number,
  rows: ParsedRow[],
): Promise<Map<string, ExistingItem>> {
  const items = new Map<string, ExistingItem>();
  if (rows.length === 0) return items;
  const kinds = rows.map((p) => p.kind).join('\n');
  const codes = rows.map((p) => p.code).join('\n');
  const inFile = sql`(SELECT DISTINCT f.kind, f.code
      FROM unnest(string_to_array(${kinds}, chr(10)), string_to_array(${codes}, chr(10))) AS f(kind, code))`;
  const found = await sql<
    Omit<ExistingItem, 'price' | 'accounts' | 'sbu'> & {
      price: string | number | bigint;
      sbu_component: SbuComponent | null;
      province: string | null;
      travel_kind: string | null;
      grade: string | null;
    }
  >`SELECT i.id, v.version, i.kind, i.code, v.name, v.spec, v.unit, v.price, v.tkdn, i.active,
        i.sbu_component, i.province, i.travel_kind, i.grade
      FROM ${inFile} AS f
      JOIN cat_item AS i ON i.pemda_id = ${pemdaId} AND i.year = ${year} AND i.kind = f.kind AND i.code = f.code
      JOIN cat_item_version AS v ON v.pemda_id = i.pemda_id AND v.item_id = i.id AND v.version = i.current_version`.execute(
    db,
  );
  if (found.rows.length === 0) return items;
  const links = await sql<{ item_id: number; account_code: string }>`SELECT a.item_id, a.account_code
      FROM ${inFile} AS f
      JOIN cat_item AS i ON i.pemda_id = ${pemdaId} AND i.year = ${year} AND i.kind = f.kind AND i.code = f.code
      JOIN cat_item_account AS a ON a.pemda_id = i.pemda_id AND a.item_id = i.id AND a.version = i.current_version`.execute(
    db,
  );
  // a file can name 100,000s of existing items: the maps are built in slices with a yield in between
  const accounts = new Map<number, string[]>();
  for (const [i, l] of links.rows.entries()) {
    if (i % YIELD_EVERY_MAP === YIELD_EVERY_MAP - 1) await yieldToLoop();
    const list = accounts.get(l.item_id);
    if (list) list.push(l.account_code);
    else accounts.set(l.item_id, [l.account_code]);
  }
  for (const [i, r] of found.rows.entries()) {
    if (i % YIELD_EVERY_MAP === YIELD_EVERY_MAP - 1) await yieldToLoop();
    items.set(`${r.kind}|${r.code}`, {
      id: r.id,
      version: r.version,
      kind: r.kind,
      code: r.code,
      name: r.name,
      spec: r.spec,
      unit: r.unit,
      price: String(r.price),
      tkdn: r.tkdn,
      accounts: accounts.get(r.id) ?? [],
      active: r.active,
      sbu: r.sbu_component
        ? { component: r.sbu_component, province: r.province, travelKind: r.travel_kind, grade: r.grade }
        : null,
    });
  }
  return items;
}

/** The active SBU items of the year by slot ("kind|code" of the owner); a few hundred at most. */
async function loadSlotOwners(db: Db, pemdaId: number, year: number): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('cat_item')
    .select(['kind', 'code', 'sbu_component', 'province', 'travel_kind', 'grade'])
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('sbu_component', 'is not', null)
    .where('active', '=', true)
    .execute();
  const owners = new Map<string, string>();
  for (const r of rows)
    owners.set(
      sbuSlot({ component: r.sbu_component!, province: r.province, travelKind: r.travel_kind, grade: r.grade }),
      `${r.kind}|${r.code}`,
    );
  return owners;
}
