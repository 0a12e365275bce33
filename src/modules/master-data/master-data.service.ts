// The generic service: list, read, create, update, (de)activate any master-data resource, driven
// by its definition. Every write is one unit of work (transaction + audit entries) and every query
// is scoped to the caller's Pemda. Updates carry the version the client read (409 when stale).
import type { Db } from '../../core/db/database.ts';
import { mutate, type UnitOfWork } from '../../core/audit/audit.ts';
import { conflict, fieldError, notFound } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { getPemda } from '../../core/tenancy.ts';
import { DbLookup, anyDb, getRow, listRows, distinctYears, type ListQuery } from './master-data.repository.ts';
import type { Lookup } from './master-data.repository.ts';
import type { InputDef, Op, Prepared, ResourceDef, Row, WriteCtx } from './resources.ts';

/** The API shape of a row: the table's columns without pemda_id, plus computed fields. */
export async function toApi(
  db: Db | UnitOfWork['trx'],
  def: ResourceDef,
  pemdaId: number,
  rows: Row[],
): Promise<Row[]> {
  const plain = rows.map(({ pemda_id: _p, ...rest }) => rest);
  return def.decorate ? def.decorate(db, pemdaId, plain) : plain;
}

async function one(db: Db | UnitOfWork['trx'], def: ResourceDef, pemdaId: number, row: Row): Promise<Row> {
  return (await toApi(db, def, pemdaId, [row]))[0]!;
}

export function currentYear(): number {
  return new Date().getFullYear();
}

/** The year shown when none is asked: this year when it has data, else the latest year that has. */
export async function defaultYear(db: Db, def: ResourceDef, pemdaId: number): Promise<number> {
  const years = await distinctYears(db, def, pemdaId);
  const now = currentYear();
  return years.includes(now) || years.length === 0 ? now : years[years.length - 1]!;
}

export async function listRecords(
  db: Db,
  def: ResourceDef,
  pemdaId: number,
  query: ListQuery,
): Promise<{ items: Row[]; total: number }> {
  const { rows, total } = await listRows(db, def, pemdaId, query);
  return { items: await toApi(db, def, pemdaId, rows), total };
}

export async function getRecord(db: Db, def: ResourceDef, pemdaId: number, id: number): Promise<Row> {
  const row = await getRow(db, def, pemdaId, id);
  if (!row) throw notFound();
  return one(db, def, pemdaId, row);
}

async function writeCtx(
  uow: UnitOfWork,
  def: ResourceDef,
  principal: Principal,
  year: number | null,
  lookup?: Lookup,
): Promise<WriteCtx> {
  const pemda = await getPemda(uow.trx as unknown as Db, principal.pemdaId);
  return {
    trx: uow.trx,
    pemdaId: principal.pemdaId,
    pemdaCode: pemda?.code ?? '',
    principal,
    lookup: lookup ?? new DbLookup(anyDb(uow.trx), principal.pemdaId),
    year,
    audit: (e) => uow.audit({ entity: def.entity, ...e }),
  };
}

/** The inputs of a resource as they stand in a row (the base an update is merged over). */
export function inputView(def: ResourceDef, row: Row): Row {
  return Object.fromEntries(def.inputs.filter((i) => i.name in row).map((i) => [i.name, row[i.name]]));
}

async function checkUnique(ctx: WriteCtx, def: ResourceDef, prep: Prepared, existing: Row | null): Promise<void> {
  for (const col of def.uniqueColumns ?? []) {
    if (await ctx.lookup.isTaken(def.key, col, prep.values[col], existing?.id ?? null))
      throw fieldError(col, 'md.error.value_taken');
  }
}

export async function createRecord(db: Db, principal: Principal, def: ResourceDef, body: unknown): Promise<Row> {
  const input = def.createSchema.parse(body) as Row;
  const year = def.yearly ? (input.year as number) : null;
  return mutate(db, principal, async (uow) => {
    const ctx = await writeCtx(uow, def, principal, year);
    if (await ctx.lookup.byCode(def.key, input.code, year)) throw fieldError('code', 'md.error.code_taken');
    const prep = await def.prepare(ctx, input, null);
    await checkUnique(ctx, def, prep, null);
    const values: Row = { ...prep.values };
    if (def.parent === 'id') {
      prep.parentId = prep.parentCode ? ((await ctx.lookup.byCode(def.key, prep.parentCode))?.id ?? null) : null;
      values.parent_id = prep.parentId;
    }
    await def.authorize?.(ctx, 'create', prep, null);
    const row = (await anyDb(uow.trx)
      .insertInto(def.table)
      .values({ pemda_id: principal.pemdaId, ...values })
      .returningAll()
      .executeTakeFirstOrThrow()) as Row;
    await def.afterWrite?.(ctx, row.id, prep, null);
    const after = await one(uow.trx, def, principal.pemdaId, row);
    uow.audit({ action: 'create', entity: def.entity, entityId: row.id, opdId: def.auditOpdId?.(row) ?? null, after });
    return after;
  });
}

export async function updateRecord(
  db: Db,
  principal: Principal,
  def: ResourceDef,
  id: number,
  body: unknown,
): Promise<Row> {
  const input = def.updateSchema.parse(body) as Row;
  return mutate(db, principal, async (uow) => {
    const existing = await getRow(uow.trx, def, principal.pemdaId, id, true);
    if (!existing) throw notFound();
    const before = await one(uow.trx, def, principal.pemdaId, existing);
    if (input.version !== existing.version)
      throw conflict('md.error.stale', { current: before }, { version: existing.version });
    const ctx = await writeCtx(uow, def, principal, def.yearly ? existing.year : null);
    const { version: _v, ...changes } = input;
    const merged = {
      ...inputView(def, existing),
      ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
    };
    const prep = await def.prepare(ctx, merged, existing);
    prep.parentId = existing.parent_id ?? null;
    await checkUnique(ctx, def, prep, existing);
    await def.authorize?.(ctx, 'update', prep, existing);
    const set = Object.fromEntries(Object.entries(prep.values).filter(([k, v]) => k in existing && v !== existing[k]));
    const linked = (await def.afterWrite?.(ctx, id, prep, existing)) ?? false;
    if (Object.keys(set).length === 0 && !linked) return before; // nothing changed: no new version, no audit entry
    const row = (await anyDb(uow.trx)
      .updateTable(def.table)
      .set((eb) => ({ ...set, version: eb('version', '+', 1), updated_at: new Date() }))
      .where('pemda_id', '=', principal.pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()) as Row;
    const after = await one(uow.trx, def, principal.pemdaId, row);
    uow.audit({
      action: 'update',
      entity: def.entity,
      entityId: id,
      opdId: def.auditOpdId?.(row) ?? null,
      before,
      after,
    });
    return after;
  });
}

export async function setActive(
  db: Db,
  principal: Principal,
  def: ResourceDef,
  id: number,
  active: boolean,
  version?: number,
): Promise<Row> {
  return mutate(db, principal, async (uow) => {
    const existing = await getRow(uow.trx, def, principal.pemdaId, id, true);
    if (!existing) throw notFound();
    const before = await one(uow.trx, def, principal.pemdaId, existing);
    if (version !== undefined && version !== existing.version)
      throw conflict('md.error.stale', { current: before }, { version: existing.version });
    const op: Op = active ? 'activate' : 'deactivate';
    const ctx = await writeCtx(uow, def, principal, def.yearly ? existing.year : null);
    await def.authorize?.(ctx, op, null, existing);
    if (existing.active === active) return before;
    const row = (await anyDb(uow.trx)
      .updateTable(def.table)
      .set((eb) => ({ active, version: eb('version', '+', 1), updated_at: new Date() }))
      .where('pemda_id', '=', principal.pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()) as Row;
    const after = await one(uow.trx, def, principal.pemdaId, row);
    uow.audit({
      action: op,
      entity: def.entity,
      entityId: id,
      opdId: def.auditOpdId?.(row) ?? null,
      before: { active: existing.active },
      after: { active },
    });
    return after;
  });
}

// ---- reading forms and files: strings to typed inputs -------------------------------------------

/**
 * Turn the strings of a form or an imported row into the typed input the zod schemas expect:
 * numbers for numeric inputs, arrays for multi-selects, null for blank nullable inputs, nothing
 * for a blank select (so that derived values apply), '' for a blank text (so that it clears).
 */
export function readStrings(
  def: ResourceDef,
  raw: Record<string, unknown>,
  mode: 'form' | 'file',
  extraNumeric: string[] = [],
): Row {
  const out: Row = {};
  const byName = new Map<string, InputDef>(def.inputs.map((i) => [i.name, i]));
  for (const [name, value] of Object.entries(raw)) {
    const input = byName.get(name);
    const numeric = input?.numeric || extraNumeric.includes(name);
    if (input?.control === 'multiselect') {
      const parts = (Array.isArray(value) ? value : [value])
        .flatMap((v) => String(v ?? '').split(/[\s,;]+/))
        .filter(Boolean);
      if (mode === 'file' && parts.length === 0) continue;
      out[name] = parts;
      continue;
    }
    const s = Array.isArray(value)
      ? String(value[value.length - 1] ?? '')
      : value === undefined || value === null
        ? ''
        : String(value);
    const v = s.trim();
    if (v === '') {
      if (input?.nullable) out[name] = null;
      else if (input && (input.control === 'text' || input.control === 'textarea')) out[name] = '';
      continue;
    }
    out[name] = numeric && /^-?\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}
