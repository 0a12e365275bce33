// Medium-term plans: the RPJMD (vision, missions, goals, targets, strategies, programs) and the
// Renstra of each OPD (goals, targets, programs, kegiatan, sub kegiatan), their indicators with a
// target per year, indicative ceilings per year, and the cascade (pohon kinerja) that links a sub
// kegiatan up to the RPJMD goal it serves.
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import { mutate, type UnitOfWork } from '../../core/audit/audit.ts';
import { conflict, fieldError, forbidden, notFound } from '../../core/errors.ts';
import { isOpdScoped, type Principal } from '../../core/roles.ts';
import { can } from '../../core/auth/policy.ts';
import { getNomenclature, getOrganisation, opdCarriesBidang } from '../master-data/index.ts';
import {
  bidangOf,
  cleanDecimal,
  decimalIn,
  kegiatanOf,
  moneyIn,
  optText,
  programOf,
  snap,
  textIn,
  versionIn,
  type Q,
} from './common.ts';
import type { RenstraNodeKind, RpjmdNodeKind } from './planning.tables.ts';

// ---- shapes -----------------------------------------------------------------------------------

export interface IndicatorView {
  id: number;
  name: string;
  unit: string;
  formula: string;
  baseline: string | null;
  version: number;
  targets: Array<{ year: number; value: string }>;
}

export interface NodeView {
  id: number;
  parent_id: number | null;
  kind: string;
  seq: number;
  code: string;
  text: string;
  version: number;
  program_code?: string | null;
  opd_id?: number | null;
  rpjmd_node_id?: number | null;
  indicators: IndicatorView[];
  ceilings: Array<{ year: number; pagu: string }>;
}

const RPJMD_PARENT: Record<RpjmdNodeKind, RpjmdNodeKind | null> = {
  mission: null,
  goal: 'mission',
  target: 'goal',
  strategy: 'target',
  program: 'target',
};
const RENSTRA_PARENT: Record<RenstraNodeKind, RenstraNodeKind | null> = {
  goal: null,
  target: 'goal',
  program: 'target',
  kegiatan: 'program',
  sub_kegiatan: 'kegiatan',
};

// ---- indicators and ceilings loaded for a set of nodes ---------------------------------------

async function indicatorsFor(
  db: Q,
  pemdaId: number,
  col: 'rpjmd_node_id' | 'renstra_node_id',
  nodeIds: number[],
): Promise<Map<number, IndicatorView[]>> {
  const out = new Map<number, IndicatorView[]>();
  if (nodeIds.length === 0) return out;
  const inds = await db
    .selectFrom('pln_indicator')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where(col, 'in', nodeIds)
    .orderBy('seq')
    .orderBy('id')
    .execute();
  const targets = inds.length
    ? await db
        .selectFrom('pln_indicator_target')
        .select(['indicator_id', 'year', 'value'])
        .where('pemda_id', '=', pemdaId)
        .where(
          'indicator_id',
          'in',
          inds.map((i) => i.id),
        )
        .orderBy('year')
        .execute()
    : [];
  const byInd = new Map<number, Array<{ year: number; value: string }>>();
  for (const t of targets) {
    const list = byInd.get(t.indicator_id) ?? [];
    list.push({ year: t.year, value: cleanDecimal(t.value)! });
    byInd.set(t.indicator_id, list);
  }
  for (const i of inds) {
    const node = i[col]!;
    const list = out.get(node) ?? [];
    list.push({
      id: i.id,
      name: i.name,
      unit: i.unit,
      formula: i.formula,
      baseline: cleanDecimal(i.baseline),
      version: i.version,
      targets: byInd.get(i.id) ?? [],
    });
    out.set(node, list);
  }
  return out;
}

async function ceilingsFor(
  db: Q,
  pemdaId: number,
  table: 'pln_rpjmd_ceiling' | 'pln_renstra_ceiling',
  nodeIds: number[],
) {
  const out = new Map<number, Array<{ year: number; pagu: string }>>();
  if (nodeIds.length === 0) return out;
  const rows = await db
    .selectFrom(table)
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('node_id', 'in', nodeIds)
    .orderBy('year')
    .execute();
  for (const r of rows) {
    const list = out.get(r.node_id) ?? [];
    list.push({ year: r.year, pagu: r.pagu });
    out.set(r.node_id, list);
  }
  return out;
}

type NodeRow = {
  id: number;
  parent_id: number | null;
  kind: string;
  seq: number;
  code: string;
  text: string;
  version: number;
};

/** The views of a plan's nodes (in the given order) with their indicators and ceilings; `extra` adds the plan's own columns. */
async function nodeViews<N extends NodeRow>(
  db: Q,
  pemdaId: number,
  nodes: N[],
  col: 'rpjmd_node_id' | 'renstra_node_id',
  table: 'pln_rpjmd_ceiling' | 'pln_renstra_ceiling',
  extra: (n: N) => Pick<NodeView, 'program_code' | 'opd_id' | 'rpjmd_node_id'>,
): Promise<NodeView[]> {
  const ids = nodes.map((n) => n.id);
  const [inds, ceil] = await Promise.all([indicatorsFor(db, pemdaId, col, ids), ceilingsFor(db, pemdaId, table, ids)]);
  return nodes.map((n) => ({
    id: n.id,
    parent_id: n.parent_id,
    kind: n.kind,
    seq: n.seq,
    code: n.code,
    text: n.text,
    version: n.version,
    ...extra(n),
    indicators: inds.get(n.id) ?? [],
    ceilings: ceil.get(n.id) ?? [],
  }));
}

/** Every year of the list inside the plan's period, or a field error. */
function checkYearsInPeriod(
  list: Array<{ year: number }>,
  period: { year_from: number; year_to: number },
  field: string,
) {
  for (const c of list)
    if (c.year < period.year_from || c.year > period.year_to) throw fieldError(field, 'pln.error.year_outside_period');
}

/** Replace a node's ceilings; returns the rows before and the ceilings after. */
async function replaceCeilings(
  uow: UnitOfWork,
  table: 'pln_rpjmd_ceiling' | 'pln_renstra_ceiling',
  pemdaId: number,
  nodeId: number,
  ceilings: Array<{ year: number; pagu: string }>,
) {
  const before = await uow.trx
    .selectFrom(table)
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('node_id', '=', nodeId)
    .execute();
  await uow.trx.deleteFrom(table).where('pemda_id', '=', pemdaId).where('node_id', '=', nodeId).execute();
  if (ceilings.length) {
    await uow.trx
      .insertInto(table)
      .values(ceilings.map((c) => ({ pemda_id: pemdaId, node_id: nodeId, year: c.year, pagu: c.pagu.toString() })))
      .execute();
  }
  return { before, after: ceilings.map((c) => ({ year: c.year, pagu: c.pagu.toString() })) };
}

// ---- RPJMD --------------------------------------------------------------------------------------

export const rpjmdCreateSchema = z.object({
  year_from: z.coerce.number().int().min(2000).max(2096),
  title: textIn(300),
  vision: optText(4000),
});
export const rpjmdUpdateSchema = z.object({
  version: versionIn,
  title: textIn(300).optional(),
  vision: optText(4000),
  status: z.enum(['draft', 'approved']).optional(),
});

export async function listRpjmd(db: Q, pemdaId: number) {
  return db.selectFrom('pln_rpjmd').selectAll().where('pemda_id', '=', pemdaId).orderBy('year_from', 'desc').execute();
}

export async function getRpjmd(db: Q, pemdaId: number, id: number) {
  return db.selectFrom('pln_rpjmd').selectAll().where('pemda_id', '=', pemdaId).where('id', '=', id).executeTakeFirst();
}

/** The RPJMD whose period covers the year. */
export async function rpjmdForYear(db: Q, pemdaId: number, year: number) {
  return db
    .selectFrom('pln_rpjmd')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('year_from', '<=', year)
    .where('year_to', '>=', year)
    .orderBy('year_from', 'desc')
    .executeTakeFirst();
}

export async function createRpjmd(db: Db, p: Principal, input: z.input<typeof rpjmdCreateSchema>) {
  const v = rpjmdCreateSchema.parse(input);
  return mutate(db, p, async (uow) => {
    const overlap = await uow.trx
      .selectFrom('pln_rpjmd')
      .select('id')
      .where('pemda_id', '=', p.pemdaId)
      .where('year_from', '<=', v.year_from + 4)
      .where('year_to', '>=', v.year_from)
      .executeTakeFirst();
    if (overlap) throw fieldError('year_from', 'pln.error.rpjmd_overlap');
    const row = await uow.trx
      .insertInto('pln_rpjmd')
      .values({
        pemda_id: p.pemdaId,
        year_from: v.year_from,
        year_to: v.year_from + 4,
        title: v.title,
        vision: v.vision ?? '',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'create', entity: 'rpjmd', entityId: row.id, after: row });
    return row;
  });
}

export async function updateRpjmd(db: Db, p: Principal, id: number, input: z.input<typeof rpjmdUpdateSchema>) {
  const v = rpjmdUpdateSchema.parse(input);
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_rpjmd')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound();
    if (before.version !== v.version) throw conflict('error.conflict', { current: before });
    const row = await uow.trx
      .updateTable('pln_rpjmd')
      .set({
        title: v.title ?? before.title,
        vision: v.vision ?? before.vision,
        status: v.status ?? before.status,
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({
      action: v.status && v.status !== before.status ? `status_${v.status}` : 'update',
      entity: 'rpjmd',
      entityId: id,
      before,
      after: row,
    });
    return row;
  });
}

export async function rpjmdTree(db: Q, pemdaId: number, id: number) {
  const rpjmd = await getRpjmd(db, pemdaId, id);
  if (!rpjmd) return undefined;
  const nodes = await db
    .selectFrom('pln_rpjmd_node')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('rpjmd_id', '=', id)
    .orderBy('seq')
    .orderBy('id')
    .execute();
  const views = await nodeViews(db, pemdaId, nodes, 'rpjmd_node_id', 'pln_rpjmd_ceiling', (n) => ({
    program_code: n.program_code,
    opd_id: n.opd_id,
  }));
  return { rpjmd, nodes: views };
}

async function ensureDraftRpjmd(db: Q, pemdaId: number, rpjmdId: number) {
  const r = await getRpjmd(db, pemdaId, rpjmdId);
  if (!r) throw notFound();
  if (r.status !== 'draft') throw conflict('pln.error.plan_approved');
  return r;
}

export const rpjmdNodeCreateSchema = z.object({
  parent_id: z.coerce.number().int().positive().nullish(),
  kind: z.enum(['mission', 'goal', 'target', 'strategy', 'program']),
  seq: z.coerce.number().int().min(0).max(9999).optional(),
  code: optText(40),
  text: textIn(2000),
  program_code: z.string().trim().max(20).nullish(),
  opd_id: z.coerce.number().int().positive().nullish(),
});
export const rpjmdNodeUpdateSchema = z.object({
  version: versionIn,
  seq: z.coerce.number().int().min(0).max(9999).optional(),
  code: optText(40),
  text: textIn(2000).optional(),
  program_code: z.string().trim().max(20).nullish(),
  opd_id: z.coerce.number().int().positive().nullish(),
});

async function checkProgramCode(db: Q, pemdaId: number, years: number[], code: string, field = 'program_code') {
  if (!/^[1-8]\.\d{2}\.\d{2}$/.test(code)) throw fieldError(field, 'pln.error.program_format');
  return nomenclatureInYears(db, pemdaId, years, code, field);
}

async function nomenclatureInYears(db: Q, pemdaId: number, years: number[], code: string, field: string) {
  for (const y of [...years].reverse()) {
    const n = await getNomenclature(db as Db, pemdaId, y, code);
    if (n) return n;
  }
  throw fieldError(field, 'pln.error.code_unknown', { code });
}

const periodYears = (from: number) => [0, 1, 2, 3, 4].map((i) => from + i);

export async function addRpjmdNode(
  db: Db,
  p: Principal,
  rpjmdId: number,
  input: z.input<typeof rpjmdNodeCreateSchema>,
) {
  const v = rpjmdNodeCreateSchema.parse(input);
  const rpjmd = await ensureDraftRpjmd(db, p.pemdaId, rpjmdId);
  const wantParent = RPJMD_PARENT[v.kind];
  if (wantParent) {
    if (!v.parent_id) throw fieldError('parent_id', 'field.required');
    const parent = await db
      .selectFrom('pln_rpjmd_node')
      .select(['kind', 'rpjmd_id'])
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', v.parent_id)
      .executeTakeFirst();
    if (!parent || parent.rpjmd_id !== rpjmdId || parent.kind !== wantParent)
      throw fieldError('parent_id', 'pln.error.parent_kind', { kind: wantParent });
  }
  let programCode: string | null = null;
  let opdId: number | null = null;
  if (v.kind === 'program') {
    if (!v.program_code) throw fieldError('program_code', 'field.required');
    await checkProgramCode(db, p.pemdaId, periodYears(rpjmd.year_from), v.program_code);
    programCode = v.program_code;
    if (v.opd_id) {
      if (!(await getOrganisation(db, p.pemdaId, v.opd_id))) throw fieldError('opd_id', 'pln.error.opd_unknown');
      opdId = v.opd_id;
    }
  }
  return mutate(db, p, async (uow) => {
    const row = await uow.trx
      .insertInto('pln_rpjmd_node')
      .values({
        pemda_id: p.pemdaId,
        rpjmd_id: rpjmdId,
        parent_id: wantParent ? v.parent_id! : null,
        kind: v.kind,
        seq: v.seq ?? 0,
        code: v.code ?? '',
        text: v.text,
        program_code: programCode,
        opd_id: opdId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'create', entity: 'rpjmd_node', entityId: row.id, after: row });
    return row;
  });
}

export async function getRpjmdNode(db: Q, pemdaId: number, id: number) {
  return db
    .selectFrom('pln_rpjmd_node')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updateRpjmdNode(db: Db, p: Principal, id: number, input: z.input<typeof rpjmdNodeUpdateSchema>) {
  const v = rpjmdNodeUpdateSchema.parse(input);
  const node = await getRpjmdNode(db, p.pemdaId, id);
  if (!node) throw notFound();
  const rpjmd = await ensureDraftRpjmd(db, p.pemdaId, node.rpjmd_id);
  if (node.kind === 'program' && v.program_code)
    await checkProgramCode(db, p.pemdaId, periodYears(rpjmd.year_from), v.program_code);
  if (v.opd_id && !(await getOrganisation(db, p.pemdaId, v.opd_id)))
    throw fieldError('opd_id', 'pln.error.opd_unknown');
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_rpjmd_node')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (before.version !== v.version) throw conflict('error.conflict', { current: before });
    const row = await uow.trx
      .updateTable('pln_rpjmd_node')
      .set({
        seq: v.seq ?? before.seq,
        code: v.code ?? before.code,
        text: v.text ?? before.text,
        program_code: before.kind === 'program' ? (v.program_code ?? before.program_code) : null,
        opd_id: before.kind === 'program' ? (v.opd_id === undefined ? before.opd_id : v.opd_id) : null,
        version: before.version + 1,
      })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'update', entity: 'rpjmd_node', entityId: id, before, after: row });
    return row;
  });
}

export async function deleteRpjmdNode(db: Db, p: Principal, id: number) {
  const node = await getRpjmdNode(db, p.pemdaId, id);
  if (!node) throw notFound();
  await ensureDraftRpjmd(db, p.pemdaId, node.rpjmd_id);
  return mutate(db, p, async (uow) => {
    const child = await uow.trx
      .selectFrom('pln_rpjmd_node')
      .select('id')
      .where('pemda_id', '=', p.pemdaId)
      .where('parent_id', '=', id)
      .executeTakeFirst();
    const used = await uow.trx
      .selectFrom('pln_renstra_node')
      .select('id')
      .where('pemda_id', '=', p.pemdaId)
      .where('rpjmd_node_id', '=', id)
      .executeTakeFirst();
    if (child || used) throw conflict('pln.error.node_in_use');
    await uow.trx.deleteFrom('pln_rpjmd_node').where('pemda_id', '=', p.pemdaId).where('id', '=', id).execute();
    uow.audit({ action: 'delete', entity: 'rpjmd_node', entityId: id, before: node });
  });
}

export const ceilingsSchema = z.object({
  ceilings: z.array(z.object({ year: z.coerce.number().int().min(2000).max(2100), pagu: moneyIn })).max(10),
});

export async function setRpjmdCeilings(db: Db, p: Principal, nodeId: number, input: z.input<typeof ceilingsSchema>) {
  const v = ceilingsSchema.parse(input);
  const node = await getRpjmdNode(db, p.pemdaId, nodeId);
  if (!node) throw notFound();
  if (node.kind !== 'program') throw fieldError('ceilings', 'pln.error.ceiling_program_only');
  const rpjmd = await ensureDraftRpjmd(db, p.pemdaId, node.rpjmd_id);
  checkYearsInPeriod(v.ceilings, rpjmd, 'ceilings');
  return mutate(db, p, async (uow) => {
    const { before, after } = await replaceCeilings(uow, 'pln_rpjmd_ceiling', p.pemdaId, nodeId, v.ceilings);
    uow.audit({ action: 'set_ceilings', entity: 'rpjmd_node', entityId: nodeId, before, after });
    return after;
  });
}

// ---- Renstra ------------------------------------------------------------------------------------

export async function listRenstra(db: Q, pemdaId: number, f: { rpjmdId?: number; opdId?: number } = {}) {
  let q = db.selectFrom('pln_renstra').selectAll().where('pemda_id', '=', pemdaId);
  if (f.rpjmdId) q = q.where('rpjmd_id', '=', f.rpjmdId);
  if (f.opdId) q = q.where('opd_id', '=', f.opdId);
  return q.orderBy('rpjmd_id', 'desc').orderBy('opd_id').execute();
}

export async function getRenstra(db: Q, pemdaId: number, id: number) {
  return db
    .selectFrom('pln_renstra')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function renstraFor(db: Q, pemdaId: number, rpjmdId: number, opdId: number) {
  return db
    .selectFrom('pln_renstra')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('rpjmd_id', '=', rpjmdId)
    .where('opd_id', '=', opdId)
    .executeTakeFirst();
}

export const renstraCreateSchema = z.object({
  rpjmd_id: z.coerce.number().int().positive(),
  opd_id: z.coerce.number().int().positive(),
});
export const renstraUpdateSchema = z.object({ version: versionIn, status: z.enum(['draft', 'approved']) });

export async function createRenstra(db: Db, p: Principal, input: z.input<typeof renstraCreateSchema>) {
  const v = renstraCreateSchema.parse(input);
  if (isOpdScoped(p.role) && p.opdId !== v.opd_id) throw forbidden('error.forbidden_opd');
  if (!(await getRpjmd(db, p.pemdaId, v.rpjmd_id))) throw fieldError('rpjmd_id', 'error.not_found');
  const org = await getOrganisation(db, p.pemdaId, v.opd_id);
  if (!org || org.kind === 'unit') throw fieldError('opd_id', 'pln.error.opd_unknown');
  return mutate(db, p, async (uow) => {
    if (await renstraFor(uow.trx, p.pemdaId, v.rpjmd_id, v.opd_id)) throw conflict('pln.error.renstra_exists');
    const row = await uow.trx
      .insertInto('pln_renstra')
      .values({ pemda_id: p.pemdaId, rpjmd_id: v.rpjmd_id, opd_id: v.opd_id })
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'create', entity: 'renstra', entityId: row.id, opdId: row.opd_id, after: row });
    return row;
  });
}

/** Approve (or send back to draft) a Renstra: Bappeda only (the route's permission). */
export async function setRenstraStatus(db: Db, p: Principal, id: number, input: z.input<typeof renstraUpdateSchema>) {
  const v = renstraUpdateSchema.parse(input);
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_renstra')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound();
    if (before.version !== v.version) throw conflict('error.conflict', { current: before });
    const row = await uow.trx
      .updateTable('pln_renstra')
      .set({ status: v.status, version: before.version + 1, updated_at: new Date() })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: `status_${v.status}`, entity: 'renstra', entityId: id, opdId: row.opd_id, before, after: row });
    return row;
  });
}

export async function renstraTree(db: Q, pemdaId: number, id: number) {
  const renstra = await getRenstra(db, pemdaId, id);
  if (!renstra) return undefined;
  const nodes = await db
    .selectFrom('pln_renstra_node')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('renstra_id', '=', id)
    .orderBy('seq')
    .orderBy('code')
    .orderBy('id')
    .execute();
  const views = await nodeViews(db, pemdaId, nodes, 'renstra_node_id', 'pln_renstra_ceiling', (n) => ({
    rpjmd_node_id: n.rpjmd_node_id,
  }));
  return { renstra, nodes: views };
}

export async function getRenstraNode(db: Q, pemdaId: number, id: number) {
  return db
    .selectFrom('pln_renstra_node as n')
    .innerJoin('pln_renstra as r', (j) => j.onRef('r.pemda_id', '=', 'n.pemda_id').onRef('r.id', '=', 'n.renstra_id'))
    .selectAll('n')
    .select(['r.opd_id', 'r.rpjmd_id', 'r.status as renstra_status'])
    .where('n.pemda_id', '=', pemdaId)
    .where('n.id', '=', id)
    .executeTakeFirst();
}

/** The OPD a Renstra node belongs to (for the routes' OPD check). */
export async function opdOfRenstraNode(db: Q, pemdaId: number, id: number): Promise<number | undefined> {
  return (await getRenstraNode(db, pemdaId, id))?.opd_id;
}

/** A Renstra node the principal may change: of its OPD (when OPD-scoped) and of a draft Renstra. */
async function draftRenstraNode(db: Q, p: Principal, id: number) {
  const node = await getRenstraNode(db, p.pemdaId, id);
  if (!node) throw notFound();
  if (isOpdScoped(p.role) && p.opdId !== node.opd_id) throw forbidden('error.forbidden_opd');
  if (node.renstra_status !== 'draft') throw conflict('pln.error.plan_approved');
  return node;
}

export const renstraNodeCreateSchema = z.object({
  parent_id: z.coerce.number().int().positive().nullish(),
  kind: z.enum(['goal', 'target', 'program', 'kegiatan', 'sub_kegiatan']),
  seq: z.coerce.number().int().min(0).max(9999).optional(),
  code: z.string().trim().max(40).optional(),
  text: z.string().trim().max(2000).optional(),
  rpjmd_node_id: z.coerce.number().int().positive().nullish(),
});
export const renstraNodeUpdateSchema = z.object({
  version: versionIn,
  seq: z.coerce.number().int().min(0).max(9999).optional(),
  text: textIn(2000).optional(),
  rpjmd_node_id: z.coerce.number().int().positive().nullish(),
});

async function checkRenstraLink(
  db: Q,
  pemdaId: number,
  rpjmdId: number,
  kind: RenstraNodeKind,
  rpjmdNodeId: number | null | undefined,
) {
  if (kind === 'goal' && !rpjmdNodeId) throw fieldError('rpjmd_node_id', 'pln.error.goal_needs_rpjmd_target');
  if (!rpjmdNodeId) return null;
  if (kind !== 'goal' && kind !== 'program') throw fieldError('rpjmd_node_id', 'pln.error.link_kind');
  const target = await getRpjmdNode(db, pemdaId, rpjmdNodeId);
  const want = kind === 'goal' ? 'target' : 'program';
  if (!target || target.rpjmd_id !== rpjmdId || target.kind !== want)
    throw fieldError('rpjmd_node_id', 'pln.error.link_kind');
  return rpjmdNodeId;
}

export async function addRenstraNode(
  db: Db,
  p: Principal,
  renstraId: number,
  input: z.input<typeof renstraNodeCreateSchema>,
) {
  const v = renstraNodeCreateSchema.parse(input);
  const renstra = await getRenstra(db, p.pemdaId, renstraId);
  if (!renstra) throw notFound();
  if (isOpdScoped(p.role) && p.opdId !== renstra.opd_id) throw forbidden('error.forbidden_opd');
  if (renstra.status !== 'draft') throw conflict('pln.error.plan_approved');
  const rpjmd = (await getRpjmd(db, p.pemdaId, renstra.rpjmd_id))!;
  const wantParent = RENSTRA_PARENT[v.kind];
  let parentCode = '';
  if (wantParent) {
    if (!v.parent_id) throw fieldError('parent_id', 'field.required');
    const parent = await db
      .selectFrom('pln_renstra_node')
      .select(['kind', 'renstra_id', 'code'])
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', v.parent_id)
      .executeTakeFirst();
    if (!parent || parent.renstra_id !== renstraId || parent.kind !== wantParent)
      throw fieldError('parent_id', 'pln.error.parent_kind', { kind: wantParent });
    parentCode = parent.code;
  }
  const link = await checkRenstraLink(db, p.pemdaId, renstra.rpjmd_id, v.kind, v.rpjmd_node_id);
  const code = v.code ?? '';
  let text = v.text ?? '';
  if (v.kind === 'program' || v.kind === 'kegiatan' || v.kind === 'sub_kegiatan') {
    if (!code) throw fieldError('code', 'field.required');
    const fmt = {
      program: /^[1-8]\.\d{2}\.\d{2}$/,
      kegiatan: /^[1-8]\.\d{2}\.\d{2}\.[12]\.\d{2}$/,
      sub_kegiatan: /^[1-8]\.\d{2}\.\d{2}\.[12]\.\d{2}\.\d{4}$/,
    }[v.kind];
    if (!fmt.test(code)) throw fieldError('code', 'pln.error.code_format');
    if (v.kind === 'kegiatan' && programOf(code) !== parentCode)
      throw fieldError('code', 'pln.error.code_not_under_parent');
    if (v.kind === 'sub_kegiatan' && kegiatanOf(code) !== parentCode)
      throw fieldError('code', 'pln.error.code_not_under_parent');
    if (!(await opdCarriesBidang(db, p.pemdaId, renstra.opd_id, bidangOf(code))))
      throw fieldError('code', 'pln.error.bidang_not_carried');
    const nom = await nomenclatureInYears(db, p.pemdaId, periodYears(rpjmd.year_from), code, 'code');
    if (!text) text = nom.name;
  } else if (!text) throw fieldError('text', 'field.required');
  return mutate(db, p, async (uow) => {
    if (code) {
      const dup = await uow.trx
        .selectFrom('pln_renstra_node')
        .select('id')
        .where('pemda_id', '=', p.pemdaId)
        .where('renstra_id', '=', renstraId)
        .where('code', '=', code)
        .executeTakeFirst();
      if (dup) throw fieldError('code', 'pln.error.code_duplicate');
    }
    const row = await uow.trx
      .insertInto('pln_renstra_node')
      .values({
        pemda_id: p.pemdaId,
        renstra_id: renstraId,
        parent_id: wantParent ? v.parent_id! : null,
        kind: v.kind,
        seq: v.seq ?? 0,
        code,
        text,
        rpjmd_node_id: link,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'create', entity: 'renstra_node', entityId: row.id, opdId: renstra.opd_id, after: row });
    return row;
  });
}

export async function updateRenstraNode(
  db: Db,
  p: Principal,
  id: number,
  input: z.input<typeof renstraNodeUpdateSchema>,
) {
  const v = renstraNodeUpdateSchema.parse(input);
  const node = await draftRenstraNode(db, p, id);
  const link =
    v.rpjmd_node_id === undefined
      ? node.rpjmd_node_id
      : await checkRenstraLink(db, p.pemdaId, node.rpjmd_id, node.kind, v.rpjmd_node_id);
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_renstra_node')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (before.version !== v.version) throw conflict('error.conflict', { current: before });
    const row = await uow.trx
      .updateTable('pln_renstra_node')
      .set({ seq: v.seq ?? before.seq, text: v.text ?? before.text, rpjmd_node_id: link, version: before.version + 1 })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'update', entity: 'renstra_node', entityId: id, opdId: node.opd_id, before, after: row });
    return row;
  });
}

export async function deleteRenstraNode(db: Db, p: Principal, id: number) {
  const node = await draftRenstraNode(db, p, id);
  return mutate(db, p, async (uow) => {
    const child = await uow.trx
      .selectFrom('pln_renstra_node')
      .select('id')
      .where('pemda_id', '=', p.pemdaId)
      .where('parent_id', '=', id)
      .executeTakeFirst();
    const used = await uow.trx
      .selectFrom('pln_renja_item')
      .select('id')
      .where('pemda_id', '=', p.pemdaId)
      .where('renstra_node_id', '=', id)
      .executeTakeFirst();
    if (child || used) throw conflict('pln.error.node_in_use');
    await uow.trx.deleteFrom('pln_renstra_node').where('pemda_id', '=', p.pemdaId).where('id', '=', id).execute();
    const { renstra_status: _s, ...before } = node;
    uow.audit({ action: 'delete', entity: 'renstra_node', entityId: id, opdId: node.opd_id, before });
  });
}

export async function setRenstraCeilings(db: Db, p: Principal, nodeId: number, input: z.input<typeof ceilingsSchema>) {
  const v = ceilingsSchema.parse(input);
  const node = await draftRenstraNode(db, p, nodeId);
  if (!['program', 'kegiatan', 'sub_kegiatan'].includes(node.kind))
    throw fieldError('ceilings', 'pln.error.ceiling_program_only');
  const rpjmd = (await getRpjmd(db, p.pemdaId, node.rpjmd_id))!;
  checkYearsInPeriod(v.ceilings, rpjmd, 'ceilings');
  return mutate(db, p, async (uow) => {
    const { before, after } = await replaceCeilings(uow, 'pln_renstra_ceiling', p.pemdaId, nodeId, v.ceilings);
    uow.audit({ action: 'set_ceilings', entity: 'renstra_node', entityId: nodeId, opdId: node.opd_id, before, after });
    return after;
  });
}

// ---- indicators -----------------------------------------------------------------------------------

const targetsIn = z.array(z.object({ year: z.coerce.number().int().min(2000).max(2100), value: decimalIn })).max(10);

export const indicatorCreateSchema = z.object({
  rpjmd_node_id: z.coerce.number().int().positive().nullish(),
  renstra_node_id: z.coerce.number().int().positive().nullish(),
  name: textIn(500),
  unit: optText(60),
  formula: optText(2000),
  baseline: decimalIn.nullish(),
  seq: z.coerce.number().int().min(0).max(9999).optional(),
  targets: targetsIn.default([]),
});
export const indicatorUpdateSchema = z.object({
  version: versionIn,
  name: textIn(500).optional(),
  unit: optText(60),
  formula: optText(2000),
  baseline: decimalIn.nullish(),
  targets: targetsIn.optional(),
});

/** Where an indicator hangs: its plan's period, its OPD (Renstra) and whether the plan is a draft. */
async function indicatorOwner(
  db: Q,
  pemdaId: number,
  ref: { rpjmd_node_id?: number | null; renstra_node_id?: number | null },
) {
  if (ref.rpjmd_node_id) {
    const n = await getRpjmdNode(db, pemdaId, ref.rpjmd_node_id);
    if (!n) throw fieldError('rpjmd_node_id', 'error.not_found');
    const r = (await getRpjmd(db, pemdaId, n.rpjmd_id))!;
    return { yearFrom: r.year_from, yearTo: r.year_to, opdId: null as number | null, draft: r.status === 'draft' };
  }
  if (ref.renstra_node_id) {
    const n = await getRenstraNode(db, pemdaId, ref.renstra_node_id);
    if (!n) throw fieldError('renstra_node_id', 'error.not_found');
    const r = (await getRpjmd(db, pemdaId, n.rpjmd_id))!;
    return {
      yearFrom: r.year_from,
      yearTo: r.year_to,
      opdId: n.opd_id as number | null,
      draft: n.renstra_status === 'draft',
    };
  }
  throw fieldError('rpjmd_node_id', 'field.required');
}

/** RPJMD indicators are Bappeda's; Renstra indicators also the OPD's own. */
function checkIndicatorActor(p: Principal, owner: { opdId: number | null }) {
  if (owner.opdId === null && !can(p, 'planning.rpjmd.write')) throw forbidden();
  if (isOpdScoped(p.role) && p.opdId !== owner.opdId) throw forbidden('error.forbidden_opd');
}

/** The indicator's owner, when the principal may change its indicators: the actor's and not an approved plan's. */
async function writableIndicatorOwner(
  db: Q,
  p: Principal,
  ref: { rpjmd_node_id?: number | null; renstra_node_id?: number | null },
) {
  const owner = await indicatorOwner(db, p.pemdaId, ref);
  checkIndicatorActor(p, owner);
  if (!owner.draft) throw conflict('pln.error.plan_approved');
  return owner;
}

/** An existing indicator and its owner, when the principal may change it. */
async function writableIndicator(db: Q, p: Principal, id: number) {
  const ind = await db
    .selectFrom('pln_indicator')
    .selectAll()
    .where('pemda_id', '=', p.pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!ind) throw notFound();
  return { ind, owner: await writableIndicatorOwner(db, p, ind) };
}

async function insertTargets(
  uow: UnitOfWork,
  pemdaId: number,
  indicatorId: number,
  targets: Array<{ year: number; value: string }>,
) {
  if (targets.length)
    await uow.trx
      .insertInto('pln_indicator_target')
      .values(targets.map((t) => ({ pemda_id: pemdaId, indicator_id: indicatorId, year: t.year, value: t.value })))
      .execute();
}

export async function opdOfIndicator(db: Q, pemdaId: number, id: number): Promise<number | null | undefined> {
  const ind = await db
    .selectFrom('pln_indicator')
    .select(['rpjmd_node_id', 'renstra_node_id'])
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!ind) return undefined;
  return (await indicatorOwner(db, pemdaId, ind)).opdId;
}

export async function addIndicator(db: Db, p: Principal, input: z.input<typeof indicatorCreateSchema>) {
  const v = indicatorCreateSchema.parse(input);
  if (v.rpjmd_node_id && v.renstra_node_id) throw fieldError('renstra_node_id', 'pln.error.one_owner');
  const owner = await writableIndicatorOwner(db, p, v);
  checkYearsInPeriod(v.targets, { year_from: owner.yearFrom, year_to: owner.yearTo }, 'targets');
  return mutate(db, p, async (uow) => {
    const row = await uow.trx
      .insertInto('pln_indicator')
      .values({
        pemda_id: p.pemdaId,
        rpjmd_node_id: v.rpjmd_node_id ?? null,
        renstra_node_id: v.renstra_node_id ?? null,
        name: v.name,
        unit: v.unit ?? '',
        formula: v.formula ?? '',
        baseline: v.baseline ?? null,
        seq: v.seq ?? 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertTargets(uow, p.pemdaId, row.id, v.targets);
    uow.audit({
      action: 'create',
      entity: 'indicator',
      entityId: row.id,
      opdId: owner.opdId,
      after: { ...row, targets: v.targets },
    });
    return { ...row, targets: v.targets };
  });
}

export async function updateIndicator(db: Db, p: Principal, id: number, input: z.input<typeof indicatorUpdateSchema>) {
  const v = indicatorUpdateSchema.parse(input);
  const { owner } = await writableIndicator(db, p, id);
  checkYearsInPeriod(v.targets ?? [], { year_from: owner.yearFrom, year_to: owner.yearTo }, 'targets');
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_indicator')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (before.version !== v.version) throw conflict('error.conflict', { current: before });
    const beforeTargets = await uow.trx
      .selectFrom('pln_indicator_target')
      .select(['year', 'value'])
      .where('pemda_id', '=', p.pemdaId)
      .where('indicator_id', '=', id)
      .orderBy('year')
      .execute();
    const row = await uow.trx
      .updateTable('pln_indicator')
      .set({
        name: v.name ?? before.name,
        unit: v.unit ?? before.unit,
        formula: v.formula ?? before.formula,
        baseline: v.baseline === undefined ? before.baseline : v.baseline,
        version: before.version + 1,
      })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (v.targets) {
      await uow.trx
        .deleteFrom('pln_indicator_target')
        .where('pemda_id', '=', p.pemdaId)
        .where('indicator_id', '=', id)
        .execute();
      await insertTargets(uow, p.pemdaId, id, v.targets);
    }
    const targets = v.targets ?? beforeTargets.map((t) => ({ year: t.year, value: cleanDecimal(t.value)! }));
    uow.audit({
      action: 'update',
      entity: 'indicator',
      entityId: id,
      opdId: owner.opdId,
      before: { ...before, targets: beforeTargets },
      after: { ...row, targets },
    });
    return { ...row, targets };
  });
}

export async function deleteIndicator(db: Db, p: Principal, id: number) {
  const { ind, owner } = await writableIndicator(db, p, id);
  await mutate(db, p, async (uow) => {
    await uow.trx.deleteFrom('pln_indicator').where('pemda_id', '=', p.pemdaId).where('id', '=', id).execute();
    uow.audit({ action: 'delete', entity: 'indicator', entityId: id, opdId: owner.opdId, before: snap(ind) });
  });
}

// ---- cascade (pohon kinerja) ----------------------------------------------------------------------

export interface CascadeLevel {
  level:
    | 'vision'
    | 'mission'
    | 'goal'
    | 'target'
    | 'rpjmd_program'
    | 'renstra_goal'
    | 'renstra_target'
    | 'program'
    | 'kegiatan'
    | 'sub_kegiatan';
  id: number | null;
  code: string;
  text: string;
  indicators: Array<{ name: string; unit: string; baseline: string | null; target: string | null }>;
}

function indicatorsForYear(list: IndicatorView[] | undefined, year: number | null) {
  return (list ?? []).map((i) => ({
    name: i.name,
    unit: i.unit,
    baseline: i.baseline,
    target: year === null ? null : (i.targets.find((t) => t.year === year)?.value ?? null),
  }));
}

/**
 * The chain of a sub kegiatan of an OPD in a year, from the RPJMD vision down to the sub kegiatan
 * (top first). `complete` is true when it reaches an RPJMD goal.
 */
export async function cascadeForSubKegiatan(db: Q, pemdaId: number, year: number, opdId: number, code: string) {
  const rpjmd = await rpjmdForYear(db, pemdaId, year);
  if (!rpjmd) return { rpjmd: null, levels: [] as CascadeLevel[], complete: false, matched: null as string | null };
  const renstra = await renstraFor(db, pemdaId, rpjmd.id, opdId);
  const down: CascadeLevel[] = [];
  let matched: string | null = null;
  let complete = false;
  if (renstra) {
    const nodes = await db
      .selectFrom('pln_renstra_node')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('renstra_id', '=', renstra.id)
      .execute();
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const start =
      nodes.find((n) => n.kind === 'sub_kegiatan' && n.code === code) ??
      nodes.find((n) => n.kind === 'kegiatan' && n.code === kegiatanOf(code)) ??
      nodes.find((n) => n.kind === 'program' && n.code === programOf(code));
    if (start) {
      matched = start.kind;
      const chain: typeof nodes = [];
      for (let n: (typeof nodes)[number] | undefined = start; n; n = n.parent_id ? byId.get(n.parent_id) : undefined)
        chain.push(n);
      const inds = await indicatorsFor(
        db,
        pemdaId,
        'renstra_node_id',
        chain.map((n) => n.id),
      );
      const levelOf: Record<RenstraNodeKind, CascadeLevel['level']> = {
        goal: 'renstra_goal',
        target: 'renstra_target',
        program: 'program',
        kegiatan: 'kegiatan',
        sub_kegiatan: 'sub_kegiatan',
      };
      for (const n of chain)
        down.push({
          level: levelOf[n.kind],
          id: n.id,
          code: n.code,
          text: n.text,
          indicators: indicatorsForYear(inds.get(n.id), year),
        });
      const program = chain.find((n) => n.kind === 'program');
      const goal = chain.find((n) => n.kind === 'goal');
      // the RPJMD chain: target served by the Renstra goal, its goal, mission, vision
      const rpNodes = await db
        .selectFrom('pln_rpjmd_node')
        .selectAll()
        .where('pemda_id', '=', pemdaId)
        .where('rpjmd_id', '=', rpjmd.id)
        .execute();
      const rpById = new Map(rpNodes.map((n) => [n.id, n]));
      const rpChain: typeof rpNodes = [];
      if (program?.rpjmd_node_id) {
        const rp = rpById.get(program.rpjmd_node_id);
        if (rp) rpChain.push(rp);
      }
      for (
        let n = goal?.rpjmd_node_id ? rpById.get(goal.rpjmd_node_id) : undefined;
        n;
        n = n.parent_id ? rpById.get(n.parent_id) : undefined
      )
        rpChain.push(n);
      const rpInds = await indicatorsFor(
        db,
        pemdaId,
        'rpjmd_node_id',
        rpChain.map((n) => n.id),
      );
      for (const n of rpChain) {
        down.push({
          level: n.kind === 'program' ? 'rpjmd_program' : (n.kind as CascadeLevel['level']),
          id: n.id,
          code: n.program_code ?? n.code,
          text: n.text,
          indicators: indicatorsForYear(rpInds.get(n.id), year),
        });
      }
      complete = rpChain.some((n) => n.kind === 'goal');
    }
  }
  if (down.length) down.push({ level: 'vision', id: null, code: '', text: rpjmd.vision, indicators: [] });
  if (matched && matched !== 'sub_kegiatan') {
    const nom = await getNomenclature(db as Db, pemdaId, year, code);
    down.unshift({ level: 'sub_kegiatan', id: null, code, text: nom?.name ?? code, indicators: [] });
  }
  return { rpjmd, levels: down.reverse(), complete, matched };
}

export interface GoalTree {
  goal: NodeView;
  mission: { id: number; text: string } | null;
  targets: Array<{
    node: NodeView;
    strategies: NodeView[];
    programs: NodeView[];
    renstra: Array<{ opd_id: number; renstra_id: number; nodes: NodeView[] }>;
  }>;
  renjaItems: Array<{
    id: number;
    opd_id: number;
    sub_kegiatan_code: string;
    pagu: string;
    target: string | null;
    unit: string | null;
    status: string;
  }>;
}

/** Everything under an RPJMD goal: targets, strategies, programs, the Renstra that serve them, and (for a year) the Renja items. */
export async function cascadeForGoal(
  db: Q,
  pemdaId: number,
  goalId: number,
  year?: number,
): Promise<GoalTree | undefined> {
  const goal = await getRpjmdNode(db, pemdaId, goalId);
  if (!goal || goal.kind !== 'goal') return undefined;
  const tree = (await rpjmdTree(db, pemdaId, goal.rpjmd_id))!;
  const byId = new Map(tree.nodes.map((n) => [n.id, n]));
  const mission = goal.parent_id ? byId.get(goal.parent_id) : undefined;
  const targets = tree.nodes.filter((n) => n.parent_id === goalId && n.kind === 'target');
  const result: GoalTree = {
    goal: byId.get(goalId)!,
    mission: mission ? { id: mission.id, text: mission.text } : null,
    targets: [],
    renjaItems: [],
  };
  const served = targets.length
    ? await db
        .selectFrom('pln_renstra_node as n')
        .innerJoin('pln_renstra as r', (j) =>
          j.onRef('r.pemda_id', '=', 'n.pemda_id').onRef('r.id', '=', 'n.renstra_id'),
        )
        .select(['n.id', 'n.renstra_id', 'r.opd_id', 'n.rpjmd_node_id'])
        .where('n.pemda_id', '=', pemdaId)
        .where('n.kind', '=', 'goal')
        .where(
          'n.rpjmd_node_id',
          'in',
          targets.map((t) => t.id),
        )
        .execute()
    : [];
  const renstraIds = [...new Set(served.map((s) => s.renstra_id))];
  const trees = new Map<number, NodeView[]>();
  for (const rid of renstraIds) trees.set(rid, (await renstraTree(db, pemdaId, rid))!.nodes);
  const codesByOpd = new Map<number, Set<string>>();
  for (const t of targets) {
    const entry: GoalTree['targets'][number] = {
      node: t,
      strategies: tree.nodes.filter((n) => n.parent_id === t.id && n.kind === 'strategy'),
      programs: tree.nodes.filter((n) => n.parent_id === t.id && n.kind === 'program'),
      renstra: [],
    };
    for (const s of served.filter((x) => x.rpjmd_node_id === t.id)) {
      const all = trees.get(s.renstra_id)!;
      const keep = new Set<number>([s.id]);
      // descendants of the served goal (nodes come parent-before-child only by id order; loop to a fixpoint)
      let grew = true;
      while (grew) {
        grew = false;
        for (const n of all)
          if (n.parent_id !== null && keep.has(n.parent_id) && !keep.has(n.id)) {
            keep.add(n.id);
            grew = true;
          }
      }
      const nodes = all.filter((n) => keep.has(n.id));
      entry.renstra.push({ opd_id: s.opd_id, renstra_id: s.renstra_id, nodes });
      const codes = codesByOpd.get(s.opd_id) ?? new Set<string>();
      for (const n of nodes) if (n.kind === 'program') codes.add(n.code);
      codesByOpd.set(s.opd_id, codes);
    }
    result.targets.push(entry);
  }
  if (year && codesByOpd.size) {
    const rows = await db
      .selectFrom('pln_renja_item as i')
      .innerJoin('pln_renja as r', (j) => j.onRef('r.pemda_id', '=', 'i.pemda_id').onRef('r.id', '=', 'i.renja_id'))
      .select(['i.id', 'r.opd_id', 'i.sub_kegiatan_code', 'i.pagu', 'i.target', 'i.unit', 'r.status'])
      .where('i.pemda_id', '=', pemdaId)
      .where('r.year', '=', year)
      .where('r.opd_id', 'in', [...codesByOpd.keys()])
      .orderBy('i.sub_kegiatan_code')
      .execute();
    result.renjaItems = rows
      .filter((r) => codesByOpd.get(r.opd_id)?.has(programOf(r.sub_kegiatan_code)))
      .map((r) => ({ ...r, target: cleanDecimal(r.target) }));
  }
  return result;
}

/** The goals of the RPJMD covering a year (for pickers). */
export async function rpjmdGoals(db: Q, pemdaId: number, rpjmdId: number) {
  return db
    .selectFrom('pln_rpjmd_node')
    .select(['id', 'code', 'text'])
    .where('pemda_id', '=', pemdaId)
    .where('rpjmd_id', '=', rpjmdId)
    .where('kind', '=', 'goal')
    .orderBy('seq')
    .orderBy('id')
    .execute();
}

/** Does the OPD's Renstra (of the RPJMD covering the year) contain this code (sub kegiatan) or its program? */
export async function renstraTrace(
  db: Q,
  pemdaId: number,
  year: number,
  opdId: number,
  code: string,
): Promise<{ subKegiatanNodeId: number | null; programNodeId: number | null }> {
  const rows = await db
    .selectFrom('pln_renstra_node as n')
    .innerJoin('pln_renstra as r', (j) => j.onRef('r.pemda_id', '=', 'n.pemda_id').onRef('r.id', '=', 'n.renstra_id'))
    .innerJoin('pln_rpjmd as m', (j) => j.onRef('m.pemda_id', '=', 'r.pemda_id').onRef('m.id', '=', 'r.rpjmd_id'))
    .select(['n.id', 'n.kind', 'n.code'])
    .where('n.pemda_id', '=', pemdaId)
    .where('r.opd_id', '=', opdId)
    .where('m.year_from', '<=', year)
    .where('m.year_to', '>=', year)
    .where('n.code', 'in', [code, programOf(code)])
    .execute();
  return {
    subKegiatanNodeId: rows.find((r) => r.kind === 'sub_kegiatan' && r.code === code)?.id ?? null,
    programNodeId: rows.find((r) => r.kind === 'program' && r.code === programOf(code))?.id ?? null,
  };
}

/** Year-specific Renstra numbers of a sub kegiatan node: its first indicator's target and unit, and the ceiling. */
export async function renstraYearValues(db: Q, pemdaId: number, nodeId: number, year: number) {
  const ind = await db
    .selectFrom('pln_indicator as i')
    .leftJoin('pln_indicator_target as t', (j) =>
      j.onRef('t.pemda_id', '=', 'i.pemda_id').onRef('t.indicator_id', '=', 'i.id').on('t.year', '=', year),
    )
    .select(['i.unit', 't.value'])
    .where('i.pemda_id', '=', pemdaId)
    .where('i.renstra_node_id', '=', nodeId)
    .orderBy('i.seq')
    .orderBy('i.id')
    .executeTakeFirst();
  const ceil = await db
    .selectFrom('pln_renstra_ceiling')
    .select('pagu')
    .where('pemda_id', '=', pemdaId)
    .where('node_id', '=', nodeId)
    .where('year', '=', year)
    .executeTakeFirst();
  return { target: cleanDecimal(ind?.value ?? null), unit: ind?.unit ?? null, pagu: ceil?.pagu ?? '0' };
}
