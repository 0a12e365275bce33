// The RPJMD: vision, missions, goals, targets, strategies and programs.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { fieldError, notFound, conflict } from '../../core/errors.ts';
import { type Principal } from '../../core/roles.ts';
import { getNomenclature, getOrganisation } from '../master-data/index.ts';
import { textIn, optText, versionIn, type Q, moneyIn } from './common.ts';
import { checkYearsInPeriod, nodeViews, replaceCeilings, RPJMD_PARENT } from './plans.shared.service.ts';

// ---- RPJMD --------------------------------------------------------------------------------------

export const rpjmdCreateSchema = z.object({
  year_from: intIn(z.number().int().min(2000).max(2096)),
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
  parent_id: intIn(z.number().int().positive().nullish()),
  kind: z.enum(['mission', 'goal', 'target', 'strategy', 'program']),
  seq: intIn(z.number().int().min(0).max(9999).optional()),
  code: optText(40),
  text: textIn(2000),
  program_code: z.string().trim().max(20).nullish(),
  opd_id: intIn(z.number().int().positive().nullish()),
});
export const rpjmdNodeUpdateSchema = z.object({
  version: versionIn,
  seq: intIn(z.number().int().min(0).max(9999).optional()),
  code: optText(40),
  text: textIn(2000).optional(),
  program_code: z.string().trim().max(20).nullish(),
  opd_id: intIn(z.number().int().positive().nullish()),
});

async function checkProgramCode(db: Q, pemdaId: number, years: number[], code: string, field = 'program_code') {
  if (!/^[1-8]\.\d{2}\.\d{2}$/.test(code)) throw fieldError(field, 'pln.error.program_format');
  return nomenclatureInYears(db, pemdaId, years, code, field);
}

export async function nomenclatureInYears(db: Q, pemdaId: number, years: number[], code: string, field: string) {
  for (const y of [...years].reverse()) {
    const n = await getNomenclature(db as Db, pemdaId, y, code);
    if (n) return n;
  }
  throw fieldError(field, 'pln.error.code_unknown', { code });
}

export const periodYears = (from: number) => [0, 1, 2, 3, 4].map((i) => from + i);

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
  ceilings: z.array(z.object({ year: intIn(z.number().int().min(2000).max(2100)), pagu: moneyIn })).max(10),
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
