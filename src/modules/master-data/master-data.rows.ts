// The generic data layer of the master-data resources: lookups for validation, list/get, organisation ↔ bidang urusan.
import { type Kysely, sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import type { Trx } from '../../core/audit/audit.ts';
import type { Lookup, MdTable, ResourceDef, ResourceKey, Row } from './resource-def.ts';
import './master-data.tables.ts';

/** The generic layer addresses tables by name; Kysely's typing cannot follow a table chosen at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables chosen at run time
export type AnyDb = Kysely<any>;
export const anyDb = (db: Db | Trx): AnyDb => db as unknown as AnyDb;

export const TABLES: Record<ResourceKey, MdTable> = {
  organisations: 'md_organisation',
  nomenclature: 'md_nomenclature',
  accounts: 'md_account',
  regions: 'md_region',
  'funding-sources': 'md_funding_source',
  units: 'md_unit',
};
const YEARLY: Record<ResourceKey, boolean> = {
  organisations: false,
  nomenclature: true,
  accounts: true,
  regions: false,
  'funding-sources': false,
  units: false,
};

// ---- lookups used by validation: the database, or the database plus an import's pending rows ----

export class DbLookup implements Lookup {
  constructor(
    protected readonly db: AnyDb,
    protected readonly pemdaId: number,
  ) {}

  async byCode(key: ResourceKey, code: string, year?: number | null): Promise<Row | undefined> {
    let q = this.db.selectFrom(TABLES[key]).selectAll().where('pemda_id', '=', this.pemdaId).where('code', '=', code);
    if (YEARLY[key]) q = q.where('year', '=', year ?? 0);
    return q.executeTakeFirst();
  }

  async byId(key: ResourceKey, id: number): Promise<Row | undefined> {
    return this.db
      .selectFrom(TABLES[key])
      .selectAll()
      .where('pemda_id', '=', this.pemdaId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async isTaken(key: ResourceKey, column: string, value: unknown, exceptId?: number | null): Promise<boolean> {
    let q = this.db.selectFrom(TABLES[key]).select('id').where('pemda_id', '=', this.pemdaId).where(column, '=', value);
    if (exceptId) q = q.where('id', '<>', exceptId);
    return Boolean(await q.executeTakeFirst());
  }

  private readonly bidang = new Map<string, boolean>();
  async bidangExists(code: string): Promise<boolean> {
    const hit = this.bidang.get(code);
    if (hit !== undefined) return hit;
    const row = await this.db
      .selectFrom('md_nomenclature')
      .select('id')
      .where('pemda_id', '=', this.pemdaId)
      .where('level', '=', 'bidang')
      .where('code', '=', code)
      .executeTakeFirst();
    this.bidang.set(code, Boolean(row));
    return Boolean(row);
  }
}

/**
 * The lookup of a bulk import: the imported resource's rows (of the import's year) are loaded once,
 * and each validated row of the file is added as pending, so that a later row may name an earlier
 * one as its parent and duplicates are caught without a query per row.
 */
export class ImportLookup extends DbLookup {
  readonly own = new Map<string, Row>();
  private readonly taken = new Map<string, Map<unknown, number | 'pending'>>();

  constructor(
    db: AnyDb,
    pemdaId: number,
    private readonly def: ResourceDef,
    private readonly year: number | null,
  ) {
    super(db, pemdaId);
  }

  async load(): Promise<void> {
    let q = this.db.selectFrom(this.def.table).selectAll().where('pemda_id', '=', this.pemdaId);
    if (this.def.yearly) q = q.where('year', '=', this.year);
    for (const r of await q.execute()) {
      this.remember(r);
      this.loadedById.set(r.id as number, r);
    }
  }

  /** The imported resource's rows as loaded (before any write), by id. */
  private readonly loadedById = new Map<number, Row>();

  /** A row of the imported resource from the rows loaded, not a query per row (the same rows: nothing is written before validation ends). */
  override async byId(key: ResourceKey, id: number): Promise<Row | undefined> {
    const hit = key === this.def.key ? this.loadedById.get(id) : undefined;
    return hit ?? super.byId(key, id);
  }

  private remember(r: Row, id: number | 'pending' = r.id as number): void {
    this.own.set(r.code as string, r);
    for (const col of this.def.uniqueColumns ?? []) {
      if (!this.taken.has(col)) this.taken.set(col, new Map());
      this.taken.get(col)!.set(r[col], id);
    }
  }

  /** Register a validated row of the file (it has no id yet). */
  addPending(values: Row): void {
    this.remember({ ...values, id: null, __pending: true }, 'pending');
  }

  override async byCode(key: ResourceKey, code: string, year?: number | null): Promise<Row | undefined> {
    if (key === this.def.key && (!this.def.yearly || year === this.year)) return this.own.get(code);
    return super.byCode(key, code, year);
  }

  override async isTaken(key: ResourceKey, column: string, value: unknown, exceptId?: number | null): Promise<boolean> {
    const m = key === this.def.key ? this.taken.get(column) : undefined;
    if (!m) return super.isTaken(key, column, value, exceptId);
    const holder = m.get(value);
    return holder !== undefined && holder !== exceptId;
  }
}

// ---- generic list / get -----------------------------------------------------------------------

export interface ListQuery {
  q?: string;
  page: number;
  pageSize: number;
  active?: boolean;
  year?: number;
  /** column → value for the resource's filters */
  filters: Record<string, unknown>;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Word similarity (pg_trgm `<%`, GIN-indexed) at which a misspelt word still finds a name. */
export const FUZZY_THRESHOLD = 0.5;

export async function listRows(
  db: Db,
  def: ResourceDef,
  pemdaId: number,
  query: ListQuery,
): Promise<{ rows: Row[]; total: number }> {
  const q = query.q?.trim();
  // typo-tolerant matching on the name for words (not for codes), at our threshold: set for this
  // transaction only, so that the indexed operator can be used
  const fuzzy = Boolean(q && q.length >= 4 && /\p{L}{3}/u.test(q));
  if (!fuzzy) return listIn(anyDb(db), def, pemdaId, query, false);
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(FUZZY_THRESHOLD)}, true)`.execute(trx);
    return listIn(anyDb(trx), def, pemdaId, query, true);
  });
}

async function listIn(
  db: AnyDb,
  def: ResourceDef,
  pemdaId: number,
  query: ListQuery,
  fuzzy: boolean,
): Promise<{ rows: Row[]; total: number }> {
  const t = def.table;
  let base = db.selectFrom(t).where(`${t}.pemda_id`, '=', pemdaId);
  if (def.yearly && query.year !== undefined) base = base.where(`${t}.year`, '=', query.year);
  if (query.active !== undefined) base = base.where(`${t}.active`, '=', query.active);
  for (const [col, v] of Object.entries(query.filters)) {
    if (v !== undefined && v !== null && v !== '') base = base.where(`${t}.${col}`, '=', v);
  }
  const q = query.q?.trim();
  if (q) {
    const pattern = `%${escapeLike(q)}%`;
    base = base.where((eb) =>
      eb.or([
        ...def.searchColumns.map((c) => eb(`${t}.${c}`, 'ilike', pattern)),
        ...(fuzzy ? [sql<boolean>`${q} <% ${sql.ref(`${t}.name`)}`] : []),
      ]),
    );
  }
  const [{ total }] = (await base.select((eb) => eb.fn.countAll<string>().as('total')).execute()) as [
    { total: string },
  ];
  let rows = base.selectAll(t);
  if (q) {
    rows = rows.orderBy(sql`${sql.ref(`${t}.code`)} ILIKE ${`${escapeLike(q)}%`}`, 'desc');
    if (fuzzy) rows = rows.orderBy(sql`word_similarity(${q}, ${sql.ref(`${t}.name`)})`, 'desc');
  }
  rows = rows.orderBy(`${t}.code`).orderBy(`${t}.id`);
  const list = await rows
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  return { rows: list, total: Number(total) };
}

export async function getRow(
  db: Db | Trx,
  def: ResourceDef,
  pemdaId: number,
  id: number,
  forUpdate = false,
): Promise<Row | undefined> {
  let q = anyDb(db).selectFrom(def.table).selectAll().where('pemda_id', '=', pemdaId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The direct children of a row (units of an OPD, kelurahan of a kecamatan, sub-levels of a code). */
export async function childRows(db: Db, def: ResourceDef, pemdaId: number, row: Row, limit = 200): Promise<Row[]> {
  if (!def.parent) return [];
  let q = anyDb(db).selectFrom(def.table).selectAll().where('pemda_id', '=', pemdaId);
  q =
    def.parent === 'id'
      ? q.where('parent_id', '=', row.id)
      : q.where('parent_code', '=', row.code).where('year', '=', row.year);
  return q.orderBy('code').limit(limit).execute();
}

export async function parentRow(db: Db, def: ResourceDef, pemdaId: number, row: Row): Promise<Row | undefined> {
  if (def.parent === 'id' && row.parent_id) return getRow(db, def, pemdaId, row.parent_id as number);
  if (def.parent === 'code' && row.parent_code)
    return new DbLookup(anyDb(db), pemdaId).byCode(def.key, row.parent_code as string, row.year as number);
  return undefined;
}

export async function distinctYears(db: Db, def: ResourceDef, pemdaId: number): Promise<number[]> {
  if (!def.yearly) return [];
  const rows = await anyDb(db)
    .selectFrom(def.table)
    .select('year')
    .distinct()
    .where('pemda_id', '=', pemdaId)
    .orderBy('year')
    .execute();
  return rows.map((r) => r.year as number);
}

// ---- organisation ↔ bidang urusan ---------------------------------------------------------------

export async function bidangOf(db: Db | Trx, pemdaId: number, orgIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>(orgIds.map((id) => [id, []]));
  if (orgIds.length === 0) return out;
  const rows = await db
    .selectFrom('md_organisation_bidang')
    .select(['organisation_id', 'bidang_code'])
    .where('pemda_id', '=', pemdaId)
    .where('organisation_id', 'in', orgIds)
    .orderBy('bidang_code')
    .execute();
  for (const r of rows) out.get(r.organisation_id)?.push(r.bidang_code);
  return out;
}

/** Replace the bidang of an organisation; true when something changed. */
export async function setBidang(trx: Trx, pemdaId: number, orgId: number, codes: string[]): Promise<boolean> {
  const current = (await bidangOf(trx, pemdaId, [orgId])).get(orgId) ?? [];
  const want = [...new Set(codes)].sort();
  if (current.join() === want.join()) return false;
  await trx
    .deleteFrom('md_organisation_bidang')
    .where('pemda_id', '=', pemdaId)
    .where('organisation_id', '=', orgId)
    .execute();
  if (want.length) {
    await trx
      .insertInto('md_organisation_bidang')
      .values(want.map((bidang_code) => ({ pemda_id: pemdaId, organisation_id: orgId, bidang_code })))
      .execute();
  }
  return true;
}

/** Names of bidang urusan codes (from the latest year that has them). */
export async function bidangNames(db: Db, pemdaId: number, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom('md_nomenclature')
    .select(['code', 'name'])
    .where('pemda_id', '=', pemdaId)
    .where('level', '=', 'bidang')
    .where('code', 'in', codes)
    .orderBy('year')
    .execute();
  return new Map(rows.map((r) => [r.code, r.name]));
}

/** Every bidang urusan known to the Pemda (for the organisation form). */
export async function allBidang(db: Db, pemdaId: number): Promise<Array<{ code: string; name: string }>> {
  const rows = await db
    .selectFrom('md_nomenclature')
    .select(['code', 'name'])
    .where('pemda_id', '=', pemdaId)
    .where('level', '=', 'bidang')
    .orderBy('code')
    .orderBy('year')
    .execute();
  return [...new Map(rows.map((r) => [r.code, r])).values()];
}

/** Recompute the parent (nearest existing ancestor) of every account of a year; returns the changed rows. */
export async function reparentAccounts(
  trx: Trx,
  pemdaId: number,
  year: number,
): Promise<Array<{ id: number; code: string; from: string | null; to: string | null }>> {
  const rows = await trx
    .selectFrom('md_account')
    .select(['id', 'code', 'parent_code'])
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .execute();
  const codes = new Set(rows.map((r) => r.code));
  const changed: Array<{ id: number; code: string; from: string | null; to: string | null }> = [];
  for (const r of rows) {
    const segs = r.code.split('.');
    let parent: string | null = null;
    for (let n = segs.length - 1; n >= 1; n--) {
      const c = segs.slice(0, n).join('.');
      if (codes.has(c)) {
        parent = c;
        break;
      }
    }
    if (parent !== r.parent_code) changed.push({ id: r.id, code: r.code, from: r.parent_code, to: parent });
  }
  for (const c of changed) {
    await trx
      .updateTable('md_account')
      .set({ parent_code: c.to, version: sql`version + 1`, updated_at: sql`now()` })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', c.id)
      .execute();
  }
  return changed;
}
