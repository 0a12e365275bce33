// Fiscal years and their stages. A year starts with KUA-PPAS (ceilings); every later stage (murni,
// pergeseran…, perubahan) is opened as a copy of the previous stage, which must be closed first,
// so that each closed stage stays readable as it was. Exactly one stage of a Pemda is open at a
// time (a partial unique index holds it). Input of the open stage is allowed inside its window;
// TAPD may open or close input for one OPD (until a given time) and lock a kegiatan or sub kegiatan.
import { dateIn, intIn } from '../../core/number.ts';
import { sql, type RawBuilder, type Selectable } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx } from '../../core/audit/audit.ts';
import { notFound } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { audience } from './policy.ts';
import { lockedError, ruleError, staleError } from './errors.ts';
import { notify } from './notifications.service.ts';
import { getOrganisation } from '../master-data/index.ts';
import { formatDate } from '../../core/i18n/i18n.ts';
import type { InputMode, OpdCeilingTable, StageKind, StageTable } from './budgeting.tables.ts';
import './budgeting.tables.ts';

export type Stage = Selectable<StageTable>;
export type OpdCeiling = Selectable<OpdCeilingTable>;

export const STAGE_KINDS = ['kua_ppas', 'murni', 'pergeseran', 'perubahan'] as const satisfies readonly StageKind[];

export async function listYears(db: Db, pemdaId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('bud_year')
    .select('year')
    .where('pemda_id', '=', pemdaId)
    .orderBy('year', 'desc')
    .execute();
  return rows.map((r) => r.year);
}

export async function listStages(db: Db, pemdaId: number, year?: number): Promise<Stage[]> {
  let q = db.selectFrom('bud_stage').selectAll().where('pemda_id', '=', pemdaId);
  if (year !== undefined) q = q.where('year', '=', year);
  return q.orderBy('year', 'desc').orderBy('seq').execute();
}

export async function getStage(db: Db | Trx, pemdaId: number, id: number): Promise<Stage | undefined> {
  return db.selectFrom('bud_stage').selectAll().where('pemda_id', '=', pemdaId).where('id', '=', id).executeTakeFirst();
}

export async function getOpenStage(db: Db | Trx, pemdaId: number): Promise<Stage | undefined> {
  return db
    .selectFrom('bud_stage')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('status', '=', 'open')
    .executeTakeFirst();
}

/** The open stage, or else the latest one: what pages show by default. */
export async function currentStage(db: Db, pemdaId: number): Promise<Stage | undefined> {
  return (
    (await getOpenStage(db, pemdaId)) ??
    db
      .selectFrom('bud_stage')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .orderBy('year', 'desc')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()
  );
}

export async function requireStage(db: Db | Trx, pemdaId: number, id: number): Promise<Stage> {
  const s = await getStage(db, pemdaId, id);
  if (!s) throw notFound('bud.error.stage_unknown');
  return s;
}

/** The stage row locked FOR SHARE: writers of the stage hold it, so closing waits for them. */
export async function shareStage(trx: Trx, pemdaId: number, id: number): Promise<Stage> {
  const s = await trx
    .selectFrom('bud_stage')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .forShare()
    .executeTakeFirst();
  if (!s) throw notFound('bud.error.stage_unknown');
  return s;
}

export function assertStageOpen(stage: Pick<Stage, 'status' | 'name'>): void {
  if (stage.status !== 'open') throw lockedError('bud.error.stage_closed', { stage: stage.name });
}

export interface InputState {
  open: boolean;
  /** Why: 'window', 'before_window', 'after_window', 'opd_open', 'opd_closed', 'stage_closed'. */
  reason: string;
  until: Date | null;
}

/** Whether an OPD may write in the stage now: TAPD's per-OPD access (while it lasts), else the window. */
export function inputState(
  stage: Pick<Stage, 'status' | 'input_opens_at' | 'input_closes_at'>,
  opd: Pick<OpdCeiling, 'input_mode' | 'input_until'> | undefined,
  now = new Date(),
): InputState {
  if (stage.status !== 'open') return { open: false, reason: 'stage_closed', until: null };
  const until = opd?.input_until ? new Date(opd.input_until) : null;
  const overrideActive = opd && opd.input_mode !== 'window' && (!until || now < until);
  if (overrideActive)
    return { open: opd.input_mode === 'open', reason: opd.input_mode === 'open' ? 'opd_open' : 'opd_closed', until };
  const from = new Date(stage.input_opens_at);
  const to = new Date(stage.input_closes_at);
  if (now < from) return { open: false, reason: 'before_window', until: from };
  if (now >= to) return { open: false, reason: 'after_window', until: to };
  return { open: true, reason: 'window', until: to };
}

/**
 * {@link inputState}'s rule as an SQL condition, for a statement that writes under the OPD row's lock
 * (`opd` and `stage` are the aliases of bud_opd_ceiling and bud_stage in it): the OPD's own access
 * while it lasts, else the stage's window. The stage's status is the caller's condition.
 */
export function inputOpenSql(opd: string, stage: string): RawBuilder<boolean> {
  const o = sql.ref(opd);
  const st = sql.ref(stage);
  return sql<boolean>`(CASE WHEN ${o}.input_mode <> 'window' AND (${o}.input_until IS NULL OR now() < ${o}.input_until)
    THEN ${o}.input_mode = 'open'
    ELSE now() >= ${st}.input_opens_at AND now() < ${st}.input_closes_at END)`;
}

/** What the input rules read of a stage. */
export type StageHead = Pick<
  Stage,
  'id' | 'pemda_id' | 'name' | 'status' | 'kind' | 'year' | 'input_opens_at' | 'input_closes_at'
>;

export function assertInputOpen(
  stage: StageHead,
  opd: Pick<OpdCeiling, 'input_mode' | 'input_until'> | undefined,
): void {
  assertStageOpen(stage);
  const s = inputState(stage, opd);
  if (!s.open) throw lockedError(`bud.error.input_${s.reason}`, { stage: stage.name });
}

export const windowSchema = z
  // ISO dates between 2000 and 2100 only: z.coerce.date() read -1 as 1969-12-31 (core/number.ts dateIn)
  .object({ input_opens_at: dateIn, input_closes_at: dateIn })
  .refine((w) => w.input_closes_at > w.input_opens_at, {
    message: 'bud.error.window_order',
    path: ['input_closes_at'],
  });

export const createYearSchema = z.object({ year: intIn(z.number().int().min(2000).max(2100)) }).and(windowSchema);
export const openStageSchema = z
  .object({
    year: intIn(z.number().int().min(2000).max(2100)),
    kind: z.enum(['murni', 'pergeseran', 'perubahan']),
    name: z.string().trim().max(100).optional(),
  })
  .and(windowSchema);

function stageName(kind: StageKind, year: number, nth: number): string {
  switch (kind) {
    case 'kua_ppas':
      return `KUA-PPAS ${year}`;
    case 'murni':
      return `APBD ${year}`;
    case 'pergeseran':
      return `Pergeseran ${nth} APBD ${year}`;
    case 'perubahan':
      return `APBD Perubahan ${year}`;
  }
}

async function refuseIfOpen(trx: Trx, pemdaId: number): Promise<void> {
  const open = await getOpenStage(trx, pemdaId);
  if (open) throw ruleError(null, 'bud.error.stage_already_open', { stage: open.name });
}

/** A new fiscal year, with its first stage (KUA-PPAS) open. */
export async function createYear(db: Db, actor: Principal, input: z.input<typeof createYearSchema>): Promise<Stage> {
  requirePermission(actor, 'bud.stage.manage');
  const v = createYearSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const exists = await trx
      .selectFrom('bud_year')
      .select('year')
      .where('pemda_id', '=', pemdaId)
      .where('year', '=', v.year)
      .executeTakeFirst();
    if (exists) throw ruleError('year', 'bud.error.year_exists', { year: v.year });
    await refuseIfOpen(trx, pemdaId);
    await trx.insertInto('bud_year').values({ pemda_id: pemdaId, year: v.year }).execute();
    const stage = await trx
      .insertInto('bud_stage')
      .values({
        pemda_id: pemdaId,
        year: v.year,
        seq: 1,
        kind: 'kua_ppas',
        name: stageName('kua_ppas', v.year, 0),
        status: 'open',
        input_opens_at: v.input_opens_at,
        input_closes_at: v.input_closes_at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'open', entity: 'bud_stage', entityId: stage.id, after: stage });
    return stage;
  });
}

/**
 * Open the next stage of a year as a copy of the previous one, which must be closed: ceilings,
 * sub kegiatan, trips and lines are copied in SQL; each copied line keeps its line_key and points
 * to the line it came from (origin_line_id), so stages compare line by line.
 */
export async function openNextStage(
  db: Db,
  actor: Principal,
  input: z.input<typeof openStageSchema>,
): Promise<Stage & { copied: Record<string, number> }> {
  requirePermission(actor, 'bud.stage.manage');
  const v = openStageSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const stages = await trx
      .selectFrom('bud_stage')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('year', '=', v.year)
      .orderBy('seq')
      .forUpdate()
      .execute();
    const last = stages.at(-1);
    if (!last) throw ruleError('year', 'bud.error.year_unknown', { year: v.year });
    if (last.status === 'open') throw ruleError('kind', 'bud.error.previous_stage_open', { stage: last.name });
    await refuseIfOpen(trx, pemdaId);
    const has = (k: StageKind) => stages.some((s) => s.kind === k);
    if (v.kind === 'murni' && (has('murni') || last.kind !== 'kua_ppas'))
      throw ruleError('kind', 'bud.error.stage_order', { kind: v.kind });
    if (v.kind === 'pergeseran' && !has('murni')) throw ruleError('kind', 'bud.error.stage_order', { kind: v.kind });
    if (v.kind === 'perubahan' && (!has('murni') || has('perubahan')))
      throw ruleError('kind', 'bud.error.stage_order', { kind: v.kind });
    const nth = stages.filter((s) => s.kind === v.kind).length + 1;
    const stage = await trx
      .insertInto('bud_stage')
      .values({
        pemda_id: pemdaId,
        year: v.year,
        seq: last.seq + 1,
        kind: v.kind,
        name: v.name || stageName(v.kind, v.year, nth),
        status: 'open',
        input_opens_at: v.input_opens_at,
        input_closes_at: v.input_closes_at,
        source_stage_id: last.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const copied = await copyStage(trx, pemdaId, last.id, stage.id);
    uow.audit({ action: 'open', entity: 'bud_stage', entityId: stage.id, after: { ...stage, copied } });
    await notify(trx, actor, {
      roles: audience('bud.notify.stage'),
      key: 'bud.notify.stage_opened',
      params: { stage: stage.name },
      link: '/budget',
      stageId: stage.id,
    });
    return { ...stage, copied };
  });
}

async function copyStage(trx: Trx, pemdaId: number, from: number, to: number): Promise<Record<string, number>> {
  const n = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);
  const ceilings = await sql`
    INSERT INTO bud_opd_ceiling (pemda_id, stage_id, opd_id, ceiling, planned, allow_revenue, allow_financing)
    SELECT pemda_id, ${to}, opd_id, ceiling, planned, allow_revenue, allow_financing
      FROM bud_opd_ceiling WHERE pemda_id = ${pemdaId} AND stage_id = ${from}`.execute(trx);
  const subs = await sql`
    INSERT INTO bud_sub_kegiatan (pemda_id, stage_id, opd_id, code, kegiatan_code, program_code, bidang_code, name,
      funding_source_id, ceiling, planned, region_id, location, output_indicator, target_volume, target_unit,
      month_from, month_to, status, reviewed_at, created_at)
    SELECT pemda_id, ${to}, opd_id, code, kegiatan_code, program_code, bidang_code, name,
      funding_source_id, ceiling, planned, region_id, location, output_indicator, target_volume, target_unit,
      month_from, month_to, 'draft', reviewed_at, created_at
      FROM bud_sub_kegiatan WHERE pemda_id = ${pemdaId} AND stage_id = ${from}`.execute(trx);
  const trips = await sql`
    INSERT INTO bud_travel (pemda_id, stage_id, opd_id, sub_kegiatan_id, travel_key, description, persons, days,
      province, travel_kind, grade, account_code, created_at, updated_at)
    SELECT t.pemda_id, ${to}, t.opd_id, ns.id, t.travel_key, t.description, t.persons, t.days,
      t.province, t.travel_kind, t.grade, t.account_code, t.created_at, t.updated_at
      FROM bud_travel t
      JOIN bud_sub_kegiatan os ON os.pemda_id = t.pemda_id AND os.id = t.sub_kegiatan_id
      JOIN bud_sub_kegiatan ns ON ns.pemda_id = t.pemda_id AND ns.stage_id = ${to} AND ns.opd_id = os.opd_id AND ns.code = os.code
     WHERE t.pemda_id = ${pemdaId} AND t.stage_id = ${from}`.execute(trx);
  const lines = await sql`
    INSERT INTO bud_line (pemda_id, stage_id, opd_id, kind, sub_kegiatan_id, sub_kegiatan_code, kegiatan_code,
      program_code, account_code, group_header, description_header, item_id, item_version, item_kind, item_code,
      name, spec, unit, catalogue_price, unit_price, v1, u1, v2, u2, v3, u3, v4, u4, subtotal, tax_rate, tax, total,
      free_text, travel_id, travel_component, funding_source_id, line_key, origin_line_id, created_by, updated_by,
      created_at, updated_at)
    SELECT l.pemda_id, ${to}, l.opd_id, l.kind, ns.id, l.sub_kegiatan_code, l.kegiatan_code,
      l.program_code, l.account_code, l.group_header, l.description_header, l.item_id, l.item_version, l.item_kind, l.item_code,
      l.name, l.spec, l.unit, l.catalogue_price, l.unit_price, l.v1, l.u1, l.v2, l.u2, l.v3, l.u3, l.v4, l.u4, l.subtotal, l.tax_rate, l.tax, l.total,
      l.free_text, nt.id, l.travel_component, l.funding_source_id, l.line_key, l.id, l.created_by, l.updated_by,
      l.created_at, l.updated_at
      FROM bud_line l
      LEFT JOIN bud_sub_kegiatan ns ON ns.pemda_id = l.pemda_id AND ns.stage_id = ${to} AND ns.opd_id = l.opd_id AND ns.code = l.sub_kegiatan_code
      LEFT JOIN bud_travel ot ON ot.pemda_id = l.pemda_id AND ot.id = l.travel_id
      LEFT JOIN bud_travel nt ON nt.pemda_id = l.pemda_id AND nt.stage_id = ${to} AND nt.travel_key = ot.travel_key
     WHERE l.pemda_id = ${pemdaId} AND l.stage_id = ${from}`.execute(trx);
  return { ceilings: n(ceilings), sub_kegiatan: n(subs), trips: n(trips), lines: n(lines) };
}

/** Close (freeze) a stage: waits for in-flight writers (they hold the stage row FOR SHARE). */
export async function closeStage(db: Db, actor: Principal, stageId: number): Promise<Stage> {
  requirePermission(actor, 'bud.stage.manage');
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const before = await uow.trx
      .selectFrom('bud_stage')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', stageId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound('bud.error.stage_unknown');
    assertStageOpen(before);
    const after = await uow.trx
      .updateTable('bud_stage')
      .set({ status: 'closed', closed_at: new Date(), version: before.version + 1 })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', stageId)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'close', entity: 'bud_stage', entityId: stageId, before, after });
    await notify(uow.trx, actor, {
      roles: audience('bud.notify.stage'),
      key: 'bud.notify.stage_closed',
      params: { stage: after.name },
      link: '/budget',
      stageId,
    });
    return after;
  });
}

/** Move the input window of the open stage. */
export async function setWindow(
  db: Db,
  actor: Principal,
  stageId: number,
  input: z.input<typeof windowSchema> & { version?: number },
): Promise<Stage> {
  requirePermission(actor, 'bud.stage.manage');
  const v = windowSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const before = await uow.trx
      .selectFrom('bud_stage')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', stageId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound('bud.error.stage_unknown');
    assertStageOpen(before);
    if (input.version !== undefined && input.version !== before.version) throw staleError(before);
    const after = await uow.trx
      .updateTable('bud_stage')
      .set({ input_opens_at: v.input_opens_at, input_closes_at: v.input_closes_at, version: before.version + 1 })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', stageId)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'window', entity: 'bud_stage', entityId: stageId, before, after });
    return after;
  });
}

export const opdInputSchema = z.object({
  mode: z.enum(['window', 'open', 'closed']),
  until: dateIn.nullish(),
});

/** Make sure the OPD has its row in the stage (ceiling 0 until TAPD sets one); return it locked. */
export async function lockOpdRow(
  trx: Trx,
  pemdaId: number,
  stageId: number,
  opdId: number,
  create = false,
): Promise<OpdCeiling | undefined> {
  if (create) {
    await trx
      .insertInto('bud_opd_ceiling')
      .values({ pemda_id: pemdaId, stage_id: stageId, opd_id: opdId, ceiling: '0' })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return trx
    .selectFrom('bud_opd_ceiling')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('stage_id', '=', stageId)
    .where('opd_id', '=', opdId)
    .forUpdate()
    .executeTakeFirst();
}

/** TAPD opens or closes input for one OPD (until a time; `window` returns it to the stage window). */
export async function setOpdInput(
  db: Db,
  actor: Principal,
  stageId: number,
  opdId: number,
  input: z.input<typeof opdInputSchema>,
): Promise<OpdCeiling> {
  requirePermission(actor, 'bud.stage.manage');
  const v = opdInputSchema.parse(input);
  const pemdaId = actor.pemdaId;
  await requireOpd(db, pemdaId, opdId, 'path');
  return mutate(db, actor, async (uow) => {
    const stage = await shareStage(uow.trx, pemdaId, stageId);
    assertStageOpen(stage);
    const before = (await lockOpdRow(uow.trx, pemdaId, stageId, opdId, true))!;
    const mode: InputMode = v.mode;
    const after = await uow.trx
      .updateTable('bud_opd_ceiling')
      .set({
        input_mode: mode,
        input_until: mode === 'window' ? null : (v.until ?? null),
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', pemdaId)
      .where('stage_id', '=', stageId)
      .where('opd_id', '=', opdId)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'input_access', entity: 'bud_opd', entityId: `${stageId}/${opdId}`, opdId, before, after });
    await notify(uow.trx, actor, {
      roles: audience('bud.notify.opd'),
      opdId,
      key:
        mode === 'open'
          ? 'bud.notify.input_opened'
          : mode === 'closed'
            ? 'bud.notify.input_closed'
            : 'bud.notify.input_window',
      params: { stage: stage.name, until: after.input_until ? formatDate('id', after.input_until, true) : '' },
      link: `/budget/opd/${opdId}?stage_id=${stageId}`,
      stageId,
    });
    return after;
  });
}

/**
 * The OPD must be one of this Pemda's. Named in the path (or as a listing filter) an unknown OPD —
 * also one of another Pemda — is 404, as for any object; named in a body field it is 422 on that field.
 */
async function requireOpd(db: Db, pemdaId: number, opdId: number, from: 'path' | 'field' = 'field'): Promise<void> {
  const org = await getOrganisation(db, pemdaId, opdId);
  if (!org || org.kind === 'unit')
    throw from === 'path' ? notFound('bud.error.opd_unknown') : ruleError('opd_id', 'bud.error.opd_unknown');
}
export { requireOpd };

export const lockSchema = z.object({
  opd_id: intIn(z.number().int().positive()),
  code: z
    .string()
    .trim()
    .regex(/^\d(\.\d{2}){2}\.\d\.\d{2}(\.\d{4})?$/, 'bud.error.lock_code'),
});

export async function listLocks(db: Db, pemdaId: number, stageId: number, opdId?: number) {
  let q = db.selectFrom('bud_lock').selectAll().where('pemda_id', '=', pemdaId).where('stage_id', '=', stageId);
  if (opdId) q = q.where('opd_id', '=', opdId);
  return q.orderBy('opd_id').orderBy('code').execute();
}

/** TAPD locks (or unlocks) a kegiatan or sub kegiatan of an OPD in the stage. */
export async function setLock(
  db: Db,
  actor: Principal,
  stageId: number,
  input: z.input<typeof lockSchema>,
  locked: boolean,
): Promise<void> {
  requirePermission(actor, 'bud.stage.manage');
  const v = lockSchema.parse(input);
  const pemdaId = actor.pemdaId;
  await requireOpd(db, pemdaId, v.opd_id);
  await mutate(db, actor, async (uow) => {
    const stage = await shareStage(uow.trx, pemdaId, stageId);
    assertStageOpen(stage);
    await lockOpdRow(uow.trx, pemdaId, stageId, v.opd_id, true);
    if (locked) {
      await uow.trx
        .insertInto('bud_lock')
        .values({ pemda_id: pemdaId, stage_id: stageId, opd_id: v.opd_id, code: v.code, locked_by: actor.username })
        .onConflict((oc) => oc.doNothing())
        .execute();
    } else {
      await uow.trx
        .deleteFrom('bud_lock')
        .where('pemda_id', '=', pemdaId)
        .where('stage_id', '=', stageId)
        .where('opd_id', '=', v.opd_id)
        .where('code', '=', v.code)
        .execute();
    }
    uow.audit({
      action: locked ? 'lock' : 'unlock',
      entity: 'bud_lock',
      entityId: `${stageId}/${v.opd_id}/${v.code}`,
      opdId: v.opd_id,
      after: { code: v.code },
    });
    await notify(uow.trx, actor, {
      roles: audience('bud.notify.opd'),
      opdId: v.opd_id,
      key: locked ? 'bud.notify.locked' : 'bud.notify.unlocked',
      params: { code: v.code },
      link: `/budget/opd/${v.opd_id}?stage_id=${stageId}`,
      stageId,
    });
  });
}

/** Refuse writing under a locked kegiatan or sub kegiatan. */
export async function assertNotLocked(
  trx: Db | Trx,
  pemdaId: number,
  stageId: number,
  opdId: number,
  subCode: string,
): Promise<void> {
  const kegiatan = subCode.split('.').slice(0, 5).join('.');
  const lock = await trx
    .selectFrom('bud_lock')
    .select('code')
    .where('pemda_id', '=', pemdaId)
    .where('stage_id', '=', stageId)
    .where('opd_id', '=', opdId)
    .where('code', 'in', [kegiatan, subCode])
    .executeTakeFirst();
  if (lock) throw lockedError('bud.error.locked', { code: lock.code });
}
