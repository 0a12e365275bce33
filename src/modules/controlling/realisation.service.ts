// Financial realisation: the treasury's SP2D register, imported (CSV/XLSX, all rows or none) or
// entered by hand, checked against the DPA in force. One rule for both paths: a row names an OPD,
// a sub kegiatan and an account of that OPD's approved DPA; an SP2D already recorded with the same
// content is skipped (importing a file twice adds nothing), with other content refused; the
// cumulative realisation of a sub kegiatan + account never exceeds its DPA amount. Imports of one
// Pemda and year are serialised by an advisory lock, so two concurrent imports cannot overspend.
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx } from '../../core/audit/audit.ts';
import { requirePermission, can } from '../../core/auth/policy.ts';
import { AppError } from '../../core/errors.ts';
import { formatNumber, type Lang } from '../../core/i18n/i18n.ts';
import { t } from './translate.ts';
import { parseRupiah } from '../../core/money.ts';
import type { Principal } from '../../core/roles.ts';
import { normHeader, readSheet, SheetError, type ImportError } from '../../core/tabular.ts';
import { dpaBudgets } from '../budgeting/index.ts';
import { listOpds } from '../master-data/index.ts';
import './controlling.tables.ts';

export const MAX_IMPORT_ROWS = 50_000;

/** Columns of the SP2D register (header names as the treasury exports them; aliases accepted). */
export const SP2D_COLUMNS = [
  { key: 'sp2d_number', header: 'nomor_sp2d', aliases: ['no_sp2d', 'sp2d', 'nomor'], required: true },
  { key: 'date', header: 'tanggal', aliases: ['tanggal_sp2d', 'tgl_sp2d', 'tgl'], required: true },
  { key: 'opd', header: 'opd', aliases: ['kode_opd', 'skpd', 'kode_skpd'], required: true },
  { key: 'sub', header: 'sub_kegiatan', aliases: ['kode_sub_kegiatan', 'subkegiatan'], required: true },
  { key: 'account', header: 'akun', aliases: ['kode_akun', 'kode_rekening', 'rekening'], required: true },
  { key: 'amount', header: 'nilai', aliases: ['jumlah', 'nilai_sp2d'], required: true },
  { key: 'payee', header: 'penerima', aliases: ['nama_penerima'], required: false },
  { key: 'description', header: 'uraian', aliases: ['keterangan'], required: false },
  { key: 'package', header: 'paket', aliases: ['id_paket'], required: false },
] as const;
type ColKey = (typeof SP2D_COLUMNS)[number]['key'];

export interface RealisationInput {
  sp2d_number: string;
  date: string;
  opd: string | number;
  sub_kegiatan: string;
  account: string;
  amount: string | number;
  payee?: string;
  description?: string;
  package_id?: number | null;
}

interface Row {
  row: number;
  sp2d_number: string;
  date: string;
  month: number;
  opd_id: number;
  sub: string;
  account: string;
  amount: bigint;
  payee: string;
  description: string;
  package_id: number | null;
}

export type ImportResult =
  | { ok: true; import_id: number | null; rows: number; added: number; skipped: number; amount: string }
  | { ok: false; errors: ImportError[] };

const rp = (lang: Lang, v: bigint) => `Rp ${formatNumber(lang, v)}`;

/** "2026-03-02", "02/03/2026", "2-3-2026" → ISO date, or null. */
export function parseDate(s: string): string | null {
  const v = s.trim();
  let y: number, m: number, d: number;
  let g = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(v);
  if (g) [y, m, d] = [Number(g[1]), Number(g[2]), Number(g[3])];
  else if ((g = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v)))
    [d, m, y] = [Number(g[1]), Number(g[2]), Number(g[3])];
  else {
    const js = new Date(v); // an XLSX date cell read as text
    if (!/[a-z]{3}/i.test(v) || Number.isNaN(js.getTime())) return null;
    [y, m, d] = [js.getFullYear(), js.getMonth() + 1, js.getDate()];
  }
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return dt.toISOString().slice(0, 10);
}

/** Validate raw rows (form or file) into rows keyed by OPD, sub kegiatan and account; errors name row and column. */
async function validateRows(
  db: Db,
  actor: Principal,
  year: number,
  raw: Array<{ row: number; get: (k: ColKey) => string }>,
  lang: Lang,
): Promise<{ rows: Row[]; errors: ImportError[] }> {
  const L = (k: string, p?: Record<string, string | number>) => t(lang, k, p);
  const opds = await listOpds(db, actor.pemdaId);
  const opdBy = new Map<string, number>();
  for (const o of opds) {
    opdBy.set(o.code, o.id);
    opdBy.set(o.shortName.toLowerCase(), o.id);
    opdBy.set(String(o.id), o.id);
  }
  const errors: ImportError[] = [];
  const rows: Row[] = [];
  const col = (k: ColKey) => SP2D_COLUMNS.find((c) => c.key === k)!.header;
  for (const r of raw) {
    const err = (k: ColKey, key: string, p?: Record<string, string | number>) =>
      errors.push({ row: r.row, column: col(k), reason: L(key, p) });
    const before = errors.length;
    const number = r.get('sp2d_number').trim();
    if (!number) err('sp2d_number', 'ctl.error.required');
    else if (number.length > 100) err('sp2d_number', 'ctl.error.too_long', { max: 100 });
    const date = parseDate(r.get('date'));
    if (!date) err('date', 'ctl.error.date');
    else if (Number(date.slice(0, 4)) !== year) err('date', 'ctl.error.date_year', { year });
    const opdId = opdBy.get(r.get('opd').trim()) ?? opdBy.get(r.get('opd').trim().toLowerCase());
    if (!opdId) err('opd', 'ctl.error.opd_unknown', { value: r.get('opd').trim() });
    else if (!can(actor, 'ctl.realisation.write', { opdId })) err('opd', 'ctl.error.opd_not_yours');
    const sub = r.get('sub').trim();
    if (!/^\d(\.\d{1,2}){2,5}\.\d{4}$/.test(sub) && !/^[\dX]\.[\dX]{2}\.\d{2}\.\d\.\d{2}\.\d{4}$/.test(sub))
      err('sub', 'ctl.error.sub_format');
    const account = r.get('account').trim();
    if (!/^\d(\.\d{1,2}){3,4}\.\d{4}$/.test(account)) err('account', 'ctl.error.account_format');
    const amount = parseRupiah(r.get('amount'));
    if (amount === null) err('amount', 'ctl.error.amount');
    else if (amount <= 0n) err('amount', 'ctl.error.amount_positive');
    const pkg = r.get('package').trim();
    if (pkg && !/^\d{1,9}$/.test(pkg)) err('package', 'ctl.error.package_unknown', { value: pkg });
    if (errors.length > before) continue;
    rows.push({
      row: r.row,
      sp2d_number: number,
      date: date!,
      month: Number(date!.slice(5, 7)),
      opd_id: opdId!,
      sub,
      account,
      amount: amount!,
      payee: r.get('payee').trim().slice(0, 300),
      description: r.get('description').trim().slice(0, 1000),
      package_id: pkg ? Number(pkg) : null,
    });
  }
  return { rows, errors };
}

/**
 * Check the rows against the DPA and what is already recorded, and insert the new ones, in the
 * caller's transaction. Returns the errors (nothing written when any) or the counts.
 */
async function applyRows(
  trx: Trx,
  actor: Principal,
  year: number,
  rows: Row[],
  lang: Lang,
  source: 'import' | 'manual',
  importMeta: { fileName: string; rowsRead: number } | null,
): Promise<ImportResult> {
  const L = (k: string, p?: Record<string, string | number>) => t(lang, k, p);
  const pemdaId = actor.pemdaId;
  await sql`SELECT pg_advisory_xact_lock(${pemdaId}::int, ${40_000 + year}::int)`.execute(trx);
  const budgets = new Map(
    (await dpaBudgets(trx, pemdaId, year)).map((b) => [`${b.opd_id}|${b.sub_kegiatan_code}|${b.account_code}`, b]),
  );
  const errors: ImportError[] = [];
  const seen = new Set<string>();
  const numbers = [...new Set(rows.map((r) => r.sp2d_number))];
  const existing = new Map<string, { opd_id: number; amount: string }>();
  for (let i = 0; i < numbers.length; i += 5000) {
    const got = await trx
      .selectFrom('ctl_realisation')
      .select(['sp2d_number', 'sub_kegiatan_code', 'account_code', 'opd_id', 'amount'])
      .where('pemda_id', '=', pemdaId)
      .where('sp2d_number', 'in', numbers.slice(i, i + 5000))
      .execute();
    for (const g of got)
      existing.set(`${g.sp2d_number}|${g.sub_kegiatan_code}|${g.account_code}`, { opd_id: g.opd_id, amount: g.amount });
  }
  const knownNumbers = new Set([...existing.keys()].map((k) => k.split('|')[0]!));
  const realised = new Map<string, bigint>();
  const r = await sql<{ opd_id: number; sub_kegiatan_code: string; account_code: string; amount: string }>`
    SELECT opd_id, sub_kegiatan_code, account_code, sum(amount)::text AS amount FROM ctl_realisation
     WHERE pemda_id = ${pemdaId} AND year = ${year} GROUP BY 1, 2, 3`.execute(trx);
  for (const x of r.rows) realised.set(`${x.opd_id}|${x.sub_kegiatan_code}|${x.account_code}`, BigInt(x.amount));
  const packages = new Map(
    (
      await trx
        .selectFrom('ctl_package')
        .select(['id', 'opd_id'])
        .where('pemda_id', '=', pemdaId)
        .where('year', '=', year)
        .execute()
    ).map((p) => [p.id, p.opd_id]),
  );
  const fresh: Row[] = [];
  let skipped = 0;
  for (const row of rows) {
    const rowKey = `${row.sp2d_number}|${row.sub}|${row.account}`;
    if (seen.has(rowKey)) {
      errors.push({ row: row.row, column: 'nomor_sp2d', reason: L('ctl.error.sp2d_duplicate_in_file') });
      continue;
    }
    seen.add(rowKey);
    const prior = existing.get(rowKey);
    if (prior && source === 'manual') {
      errors.push({
        row: row.row,
        column: 'nomor_sp2d',
        reason: L('ctl.error.sp2d_exists', { number: row.sp2d_number }),
      });
      continue;
    }
    if (prior) {
      if (prior.opd_id === row.opd_id && BigInt(prior.amount) === row.amount) skipped++;
      else
        errors.push({
          row: row.row,
          column: 'nomor_sp2d',
          reason: L('ctl.error.sp2d_conflict', { number: row.sp2d_number }),
        });
      continue;
    }
    if (source === 'manual' && knownNumbers.has(row.sp2d_number)) {
      errors.push({
        row: row.row,
        column: 'nomor_sp2d',
        reason: L('ctl.error.sp2d_exists', { number: row.sp2d_number }),
      });
      continue;
    }
    const key = `${row.opd_id}|${row.sub}|${row.account}`;
    const budget = budgets.get(key);
    if (!budget) {
      errors.push({
        row: row.row,
        column: 'akun',
        reason: L('ctl.error.not_in_dpa', { sub: row.sub, account: row.account, year }),
      });
      continue;
    }
    if (row.package_id !== null && packages.get(row.package_id) !== row.opd_id) {
      errors.push({ row: row.row, column: 'paket', reason: L('ctl.error.package_unknown', { value: row.package_id }) });
      continue;
    }
    const already = realised.get(key) ?? 0n;
    const limit = BigInt(budget.budget);
    if (already + row.amount > limit) {
      errors.push({
        row: row.row,
        column: 'nilai',
        reason: L('ctl.error.above_dpa', {
          amount: rp(lang, row.amount),
          already: rp(lang, already),
          budget: rp(lang, limit),
          over: rp(lang, already + row.amount - limit),
        }),
      });
      continue;
    }
    realised.set(key, already + row.amount);
    fresh.push(row);
  }
  if (errors.length) return { ok: false, errors: errors.sort((a, b) => a.row - b.row) };
  const total = fresh.reduce((s, x) => s + x.amount, 0n);
  let importId: number | null = null;
  if (importMeta) {
    const imp = await trx
      .insertInto('ctl_import')
      .values({
        pemda_id: pemdaId,
        year,
        file_name: importMeta.fileName.slice(0, 200),
        rows_read: importMeta.rowsRead,
        added: fresh.length,
        skipped,
        amount: total.toString(),
        by_name: actor.username,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    importId = imp.id;
  }
  for (let i = 0; i < fresh.length; i += 2000) {
    await trx
      .insertInto('ctl_realisation')
      .values(
        fresh.slice(i, i + 2000).map((x) => ({
          pemda_id: pemdaId,
          year,
          sp2d_number: x.sp2d_number,
          sp2d_date: x.date,
          month: x.month,
          opd_id: x.opd_id,
          sub_kegiatan_code: x.sub,
          account_code: x.account,
          amount: x.amount.toString(),
          payee: x.payee,
          description: x.description,
          source,
          import_id: importId,
          package_id: x.package_id,
          created_by: actor.username,
        })),
      )
      .execute();
  }
  return { ok: true, import_id: importId, rows: rows.length, added: fresh.length, skipped, amount: total.toString() };
}

/** Import an SP2D register (CSV/XLSX) for a year: every row, or none. */
export async function importSp2d(
  db: Db,
  actor: Principal,
  file: Buffer,
  opts: { year: number; lang: Lang; fileName?: string },
): Promise<ImportResult> {
  requirePermission(actor, 'ctl.realisation.write');
  const L = (k: string, p?: Record<string, string | number>) => t(opts.lang, k, p);
  let sheet;
  try {
    sheet = await readSheet(file);
  } catch (e) {
    if (e instanceof SheetError) return { ok: false, errors: [{ row: e.row, column: '', reason: L(e.key) }] };
    throw e;
  }
  const heads = sheet.headers.map(normHeader);
  const index = new Map<ColKey, number>();
  const errors: ImportError[] = [];
  for (const c of SP2D_COLUMNS) {
    const i = heads.findIndex((h) => h === c.header || (c.aliases as readonly string[]).includes(h));
    if (i >= 0) index.set(c.key, i);
    else if (c.required) errors.push({ row: 0, column: c.header, reason: L('ctl.error.column_missing') });
  }
  if (errors.length) return { ok: false, errors };
  if (sheet.rows.length === 0) return { ok: false, errors: [{ row: 0, column: '', reason: L('core.import.empty') }] };
  if (sheet.rows.length > MAX_IMPORT_ROWS)
    return {
      ok: false,
      errors: [{ row: 0, column: '', reason: L('ctl.error.too_many_rows', { max: MAX_IMPORT_ROWS }) }],
    };
  const raw = sheet.rows.map((r) => ({
    row: r.row,
    get: (k: ColKey) => {
      const i = index.get(k);
      return i === undefined ? '' : (r.cells[i] ?? '');
    },
  }));
  const v = await validateRows(db, actor, opts.year, raw, opts.lang);
  if (v.errors.length) return { ok: false, errors: v.errors };
  return mutate(db, actor, async (uow) => {
    const res = await applyRows(uow.trx, actor, opts.year, v.rows, opts.lang, 'import', {
      fileName: opts.fileName ?? '',
      rowsRead: sheet.rows.length,
    });
    if (res.ok)
      uow.audit({
        action: 'import',
        entity: 'ctl_realisation',
        entityId: `import ${res.import_id}`,
        after: {
          year: opts.year,
          file: opts.fileName ?? '',
          added: res.added,
          skipped: res.skipped,
          amount: res.amount,
        },
      });
    return res;
  });
}

/** Enter one SP2D row by hand (refused with the field and the reason, like an import row). */
export async function createRealisation(
  db: Db,
  actor: Principal,
  year: number,
  input: RealisationInput,
  lang: Lang,
): Promise<{ id: string; amount: string }> {
  requirePermission(actor, 'ctl.realisation.write');
  const values: Record<ColKey, string> = {
    sp2d_number: String(input.sp2d_number ?? ''),
    date: String(input.date ?? ''),
    opd: String(input.opd ?? ''),
    sub: String(input.sub_kegiatan ?? ''),
    account: String(input.account ?? ''),
    amount: String(input.amount ?? ''),
    payee: String(input.payee ?? ''),
    description: String(input.description ?? ''),
    package: input.package_id ? String(input.package_id) : '',
  };
  const fieldOf: Record<string, string> = {
    nomor_sp2d: 'sp2d_number',
    tanggal: 'date',
    opd: 'opd',
    sub_kegiatan: 'sub_kegiatan',
    akun: 'account',
    nilai: 'amount',
    paket: 'package_id',
  };
  const refuse = (errors: ImportError[]) =>
    new AppError(
      422,
      'rule',
      'ctl.error.refused',
      {},
      errors.map((e) => ({ field: fieldOf[e.column] ?? e.column, message: e.reason })),
    );
  const v = await validateRows(db, actor, year, [{ row: 1, get: (k) => values[k] }], lang);
  if (v.errors.length) throw refuse(v.errors);
  return mutate(db, actor, async (uow) => {
    const res = await applyRows(uow.trx, actor, year, v.rows, lang, 'manual', null);
    if (!res.ok) throw refuse(res.errors);
    const row = await uow.trx
      .selectFrom('ctl_realisation')
      .select(['id', 'amount', 'opd_id'])
      .where('pemda_id', '=', actor.pemdaId)
      .where('sp2d_number', '=', v.rows[0]!.sp2d_number)
      .where('sub_kegiatan_code', '=', v.rows[0]!.sub)
      .where('account_code', '=', v.rows[0]!.account)
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'create', entity: 'ctl_realisation', entityId: row.id, opdId: row.opd_id, after: values });
    return { id: String(row.id), amount: String(row.amount) };
  });
}

export interface RealisationRow {
  id: string;
  sp2d_number: string;
  sp2d_date: string;
  month: number;
  opd_id: number;
  sub_kegiatan_code: string;
  account_code: string;
  amount: string;
  payee: string;
  description: string;
  source: string;
  package_id: number | null;
}

/** Recorded realisation of a year (one OPD, a sub kegiatan, a package), newest first, paged. */
export async function listRealisation(
  db: Db,
  actor: Principal,
  f: { year: number; opdId?: number; sub?: string; packageId?: number; limit: number; offset: number },
): Promise<{ count: number; total: string; rows: RealisationRow[] }> {
  requirePermission(actor, 'ctl.read', f.opdId !== undefined ? { opdId: f.opdId } : undefined);
  const opdId = f.opdId ?? (can(actor, 'ctl.read', { opdId: -1 }) ? undefined : (actor.opdId ?? -1));
  const w = sql.join(
    [
      sql`pemda_id = ${actor.pemdaId}`,
      sql`year = ${f.year}`,
      ...(opdId !== undefined ? [sql`opd_id = ${opdId}`] : []),
      ...(f.sub ? [sql`sub_kegiatan_code = ${f.sub}`] : []),
      ...(f.packageId ? [sql`package_id = ${f.packageId}`] : []),
    ],
    sql` AND `,
  );
  const s = await sql<{ n: number; total: string }>`
    SELECT count(*)::int AS n, coalesce(sum(amount), 0)::text AS total FROM ctl_realisation WHERE ${w}`.execute(db);
  const r = await sql<RealisationRow>`
    SELECT id::text AS id, sp2d_number, to_char(sp2d_date, 'YYYY-MM-DD') AS sp2d_date, month, opd_id, sub_kegiatan_code, account_code,
           amount::text AS amount, payee, description, source, package_id
      FROM ctl_realisation WHERE ${w} ORDER BY sp2d_date DESC, id DESC LIMIT ${f.limit} OFFSET ${f.offset}`.execute(db);
  return { count: s.rows[0]!.n, total: s.rows[0]!.total, rows: r.rows };
}

/** Realisation of a year per OPD, sub kegiatan and account (public figures: sums only, no payee). */
export async function realisationTotals(
  db: Db,
  pemdaId: number,
  year: number,
): Promise<Array<{ opd_id: number; sub_kegiatan_code: string; account_code: string; amount: string }>> {
  const r = await sql<{ opd_id: number; sub_kegiatan_code: string; account_code: string; amount: string }>`
    SELECT opd_id, sub_kegiatan_code, account_code, sum(amount)::text AS amount FROM ctl_realisation
     WHERE pemda_id = ${pemdaId} AND year = ${year} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db);
  return r.rows.map((x) => ({ ...x, opd_id: Number(x.opd_id) }));
}

/** The SP2D rows of one OPD and sub kegiatan (optionally one account) in a year — public fields only. */
export async function realisationOf(
  db: Db,
  pemdaId: number,
  f: { year: number; opdId: number; sub: string; account?: string },
): Promise<Array<{ sp2d_number: string; sp2d_date: string; month: number; account_code: string; amount: string }>> {
  const r = await sql<{ sp2d_number: string; sp2d_date: string; month: number; account_code: string; amount: string }>`
    SELECT sp2d_number, to_char(sp2d_date, 'YYYY-MM-DD') AS sp2d_date, month, account_code, amount::text AS amount FROM ctl_realisation
     WHERE pemda_id = ${pemdaId} AND year = ${f.year} AND opd_id = ${f.opdId} AND sub_kegiatan_code = ${f.sub}
       ${f.account ? sql`AND account_code = ${f.account}` : sql``}
     ORDER BY sp2d_date, id`.execute(db);
  return r.rows;
}

/** One SP2D by number (its rows), for the trace back to the budget. */
export async function sp2dRows(db: Db, pemdaId: number, number: string) {
  return db
    .selectFrom('ctl_realisation')
    .select(['year', 'opd_id', 'sub_kegiatan_code', 'account_code', 'amount', 'sp2d_date', 'month'])
    .where('pemda_id', '=', pemdaId)
    .where('sp2d_number', '=', number)
    .execute();
}
