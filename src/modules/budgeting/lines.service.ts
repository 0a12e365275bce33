// Budget lines: change, remove, preview (adding one, the deadline-day path, is line-save.ts).
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx } from '../../core/audit/audit.ts';
import { notFound } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import {
  assertInputOpen,
  requireStage,
  shareStage,
  lockOpdRow,
  type OpdCeiling,
  type Stage,
} from './stages.service.ts';
import { coefficientLabel, normDecimal, volumeOf, volumeUnit } from './calc.ts';
import type { LineKind } from './budgeting.tables.ts';
import { ruleError, staleError } from './errors.ts';
import { getSettings } from './settings.service.ts';
import { priceLine, factorsOf } from './pricing.ts';
import { applyPlannedDelta, subSum } from './ceilings.service.ts';
import { assertOpdMayWrite, assertRkaInputOpen, getSub, lockSub } from './subs.service.ts';
import { rp, type Handle, type Line, type SubKegiatan } from './rka.common.ts';
import {
  lineInputSchema,
  lineUpdateSchema,
  type LineInput,
  type LineOut,
  type LineUpdateInput,
  type PricedLine,
} from './lines.schema.ts';

export function lineOut(l: Line): LineOut {
  const factors = factorsOf(l);
  return {
    id: String(l.id),
    version: l.version,
    stage_id: l.stage_id,
    opd_id: l.opd_id,
    kind: l.kind,
    sub_kegiatan_id: l.sub_kegiatan_id,
    sub_kegiatan_code: l.sub_kegiatan_code,
    kegiatan_code: l.kegiatan_code,
    program_code: l.program_code,
    account_code: l.account_code,
    group_header: l.group_header,
    description_header: l.description_header,
    item_id: l.item_id,
    item_version: l.item_version,
    item_kind: l.item_kind,
    item_code: l.item_code,
    name: l.name,
    spec: l.spec,
    unit: l.unit,
    catalogue_price: l.catalogue_price === null ? null : String(l.catalogue_price),
    unit_price: String(l.unit_price),
    factors,
    coefficient: coefficientLabel('id', factors),
    volume: volumeOf(factors),
    volume_unit: volumeUnit(factors),
    subtotal: String(l.subtotal),
    tax_rate: normDecimal(l.tax_rate)!,
    tax: String(l.tax),
    total: String(l.total),
    free_text: l.free_text,
    at_catalogue_price: l.catalogue_price !== null && String(l.catalogue_price) === String(l.unit_price),
    travel_id: l.travel_id,
    travel_component: l.travel_component,
    funding_source_id: l.funding_source_id,
    review_note: l.review_note,
    line_key: l.line_key,
    origin_line_id: l.origin_line_id === null ? null : String(l.origin_line_id),
    updated_by: l.updated_by,
    updated_at: new Date(l.updated_at),
  };
}

function inputOf(l: Line): LineInput {
  return {
    account_code: l.account_code,
    group_header: l.group_header,
    description_header: l.description_header,
    item_id: l.item_id,
    name: l.name,
    spec: l.spec,
    unit: l.unit,
    unit_price: String(l.unit_price),
    factors: factorsOf(l),
    tax: Number(l.tax_rate) > 0,
    funding_source_id: l.funding_source_id,
  };
}

/** A change applied on the current line: a new item is re-priced from the catalogue unless a price is given. */
function mergeInput(cur: Line, v: LineUpdateInput): LineInput {
  const base = inputOf(cur);
  const itemChanged = v.item_id !== undefined && v.item_id !== cur.item_id;
  const merged: LineInput = { ...base };
  for (const [k, val] of Object.entries(v))
    if (val !== undefined && k !== 'version') (merged as Record<string, unknown>)[k] = val;
  if (itemChanged && v.unit_price === undefined) delete merged.unit_price;
  if (itemChanged && v.item_id) {
    delete merged.name;
    delete merged.spec;
    delete merged.unit;
  }
  return merged;
}

async function lockLine(trx: Trx, pemdaId: number, id: string): Promise<Line | undefined> {
  return trx
    .selectFrom('bud_line')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function getLine(db: Handle, pemdaId: number, id: string): Promise<Line | undefined> {
  return db.selectFrom('bud_line').selectAll().where('pemda_id', '=', pemdaId).where('id', '=', id).executeTakeFirst();
}

export async function listLines(
  db: Db,
  pemdaId: number,
  f: { subId?: number; stageId?: number; opdId?: number; kind?: LineKind; limit?: number; offset?: number },
): Promise<Line[]> {
  let q = db.selectFrom('bud_line').selectAll().where('pemda_id', '=', pemdaId);
  if (f.subId !== undefined) q = q.where('sub_kegiatan_id', '=', f.subId);
  if (f.stageId !== undefined) q = q.where('stage_id', '=', f.stageId);
  if (f.opdId !== undefined) q = q.where('opd_id', '=', f.opdId);
  if (f.kind) q = q.where('kind', '=', f.kind);
  q = q
    .orderBy('sub_kegiatan_code')
    .orderBy('account_code')
    .orderBy('group_header')
    .orderBy('description_header')
    .orderBy('id');
  if (f.limit) q = q.limit(f.limit).offset(f.offset ?? 0);
  return q.execute();
}

/** The line values to insert (the caller adds location keys). */
function lineValues(p: PricedLine, actor: Principal) {
  return { ...p, created_by: actor.username, updated_by: actor.username };
}

/** Add a revenue (accounts 4) or financing (accounts 6) line to an OPD that TAPD allows it for. */
export async function createOpdLine(
  db: Db,
  actor: Principal,
  stageId: number,
  opdId: number,
  kind: 'pendapatan' | 'pembiayaan',
  input: LineInput,
): Promise<LineOut> {
  requirePermission(actor, 'bud.line.write', { opdId: opdId });
  const v = lineInputSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const stage = await shareStage(trx, pemdaId, stageId);
    const opd = await lockOpdRow(trx, pemdaId, stageId, opdId);
    if (!opd || !(kind === 'pendapatan' ? opd.allow_revenue : opd.allow_financing))
      throw ruleError('kind', `bud.error.${kind}_not_allowed`);
    assertRkaInputOpen(stage, opd);
    const priced = await priceLine(trx, pemdaId, stage.year, await getSettings(trx, pemdaId), kind, v);
    const row = await trx
      .insertInto('bud_line')
      .values({
        pemda_id: pemdaId,
        stage_id: stageId,
        opd_id: opdId,
        kind,
        sub_kegiatan_id: null,
        sub_kegiatan_code: null,
        kegiatan_code: null,
        program_code: null,
        ...lineValues(priced, actor),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const out = lineOut(row);
    uow.audit({ action: 'create', entity: 'bud_line', entityId: out.id, opdId, after: out });
    return out;
  });
}

interface LockedLine {
  stage: Stage;
  opd: OpdCeiling;
  sub: SubKegiatan | null;
  line: Line;
}

/** Take the locks of a line's write in the fixed order; check its version and that the OPD may write. */
async function lockForLineWrite(trx: Trx, actor: Principal, head: Line, version: number): Promise<LockedLine> {
  const pemdaId = actor.pemdaId;
  const stage = await shareStage(trx, pemdaId, head.stage_id);
  const opd = (await lockOpdRow(trx, pemdaId, head.stage_id, head.opd_id))!;
  const sub = head.sub_kegiatan_id === null ? null : await lockSub(trx, pemdaId, head.sub_kegiatan_id);
  const line = await lockLine(trx, pemdaId, head.id);
  if (!line) throw notFound('bud.error.line_unknown');
  if (line.version !== version) throw staleError(lineOut(line));
  if (sub) await assertOpdMayWrite(trx, stage, opd, sub);
  else assertInputOpen(stage, opd);
  if (line.travel_id !== null) throw ruleError(null, 'bud.error.travel_line', { travel: line.travel_id });
  return { stage, opd, sub, line };
}

/** Change a line; `version` must be the one read (else 409 with the current line). */
export async function updateLine(db: Db, actor: Principal, id: string, input: LineUpdateInput): Promise<LineOut> {
  const v = lineUpdateSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await getLine(db, pemdaId, id);
  if (!head) throw notFound('bud.error.line_unknown');
  requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { stage, opd, sub, line } = await lockForLineWrite(trx, actor, head, v.version);
    const priced = await priceLine(
      trx,
      pemdaId,
      stage.year,
      await getSettings(trx, pemdaId),
      line.kind,
      mergeInput(line, v),
    );
    const own = BigInt(line.total);
    if (sub) await applyPlannedDelta(trx, pemdaId, opd, sub, own, BigInt(priced.total) - own);
    const row = await trx
      .updateTable('bud_line')
      .set({ ...priced, updated_by: actor.username, updated_at: new Date(), version: line.version + 1 })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', line.id)
      .where('version', '=', v.version)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw staleError(lineOut(line));
    const out = lineOut(row);
    uow.audit({
      action: 'update',
      entity: 'bud_line',
      entityId: out.id,
      opdId: line.opd_id,
      before: lineOut(line),
      after: out,
    });
    return out;
  });
}

export async function deleteLine(db: Db, actor: Principal, id: string, version: number): Promise<void> {
  const pemdaId = actor.pemdaId;
  const head = await getLine(db, pemdaId, id);
  if (!head) throw notFound('bud.error.line_unknown');
  requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  await mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { opd, sub, line } = await lockForLineWrite(trx, actor, head, version);
    await trx.deleteFrom('bud_line').where('pemda_id', '=', pemdaId).where('id', '=', line.id).execute();
    if (sub) await applyPlannedDelta(trx, pemdaId, opd, sub, BigInt(line.total), -BigInt(line.total));
    uow.audit({
      action: 'delete',
      entity: 'bud_line',
      entityId: String(line.id),
      opdId: line.opd_id,
      before: lineOut(line),
    });
  });
}

export interface Preview {
  line: PricedLine | null;
  errors: Array<{ field: string; message: string; params?: Record<string, string | number> }>;
  ceiling: string;
  /** Planned by the other lines of the sub kegiatan. */
  planned_others: string;
  /** Remaining before this line, and after it. */
  remaining_before: string;
  remaining_after: string;
}

/** Price a line without writing (the live total and remaining ceiling of the editor). */
export async function previewLine(
  db: Db,
  actor: Principal,
  subId: number,
  input: unknown,
  lineId?: string,
): Promise<Preview> {
  const pemdaId = actor.pemdaId;
  const sub = await getSub(db, pemdaId, subId);
  if (!sub) throw notFound('bud.error.sub_unknown');
  requirePermission(actor, 'bud.read', { opdId: sub.opd_id });
  const stage = await requireStage(db, pemdaId, sub.stage_id);
  const others = await subSum(db, pemdaId, subId, lineId ? [lineId] : []);
  const ceiling = BigInt(sub.ceiling);
  const base = {
    ceiling: ceiling.toString(),
    planned_others: others.toString(),
    remaining_before: (ceiling - others).toString(),
  };
  const parsed = lineInputSchema.safeParse(input);
  if (!parsed.success) {
    return {
      line: null,
      errors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      ...base,
      remaining_after: base.remaining_before,
    };
  }
  try {
    const line = await priceLine(db, pemdaId, stage.year, await getSettings(db, pemdaId), 'belanja', parsed.data);
    const after = ceiling - others - BigInt(line.total);
    const errors =
      after < 0n
        ? [
            {
              field: 'total',
              message: 'bud.error.over_ceiling',
              params: { remaining: rp(ceiling - others), ceiling: rp(ceiling), total: rp(BigInt(line.total)) },
            },
          ]
        : [];
    return { line, errors, ...base, remaining_after: after.toString() };
  } catch (err) {
    const e = err as { fields?: Array<{ field: string; message: string; params?: Record<string, string | number> }> };
    if (e.fields?.length) return { line: null, errors: e.fields, ...base, remaining_after: base.remaining_before };
    throw err;
  }
}
