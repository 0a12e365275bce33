// The Renstra of each OPD: goals, targets, programs, kegiatan, sub kegiatan; its approval.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { forbidden, fieldError, conflict, notFound } from '../../core/errors.ts';
import { type Principal, isOpdScoped } from '../../core/roles.ts';
import { getOrganisation, opdCarriesBidang } from '../master-data/index.ts';
import { type Q, versionIn, textIn, programOf, kegiatanOf, bidangOf } from './common.ts';
import type { RenstraNodeKind } from './planning.tables.ts';
import { ceilingsSchema, getRpjmd, getRpjmdNode, nomenclatureInYears, periodYears } from './rpjmd.service.ts';
import { checkYearsInPeriod, nodeViews, RENSTRA_PARENT, replaceCeilings } from './plans.shared.service.ts';

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
  rpjmd_id: intIn(z.number().int().positive()),
  opd_id: intIn(z.number().int().positive()),
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
  parent_id: intIn(z.number().int().positive().nullish()),
  kind: z.enum(['goal', 'target', 'program', 'kegiatan', 'sub_kegiatan']),
  seq: intIn(z.number().int().min(0).max(9999).optional()),
  code: z.string().trim().max(40).optional(),
  text: z.string().trim().max(2000).optional(),
  rpjmd_node_id: intIn(z.number().int().positive().nullish()),
});
export const renstraNodeUpdateSchema = z.object({
  version: versionIn,
  seq: intIn(z.number().int().min(0).max(9999).optional()),
  text: textIn(2000).optional(),
  rpjmd_node_id: intIn(z.number().int().positive().nullish()),
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
