// Budget lines: add, change, remove, preview. The save path (createLine) is the one every OPD runs
// at the deadline: see docs/benchmarks.md and lines.sql.snapshot for the statements it issues.
import { sql } from 'kysely';
import type { z } from 'zod';
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
import { getSettings, settingsOf, type Settings } from './settings.service.ts';
import { priceLine, factorsOf } from './pricing.ts';
import { addToOpdPlanned, applyPlannedDelta, explainOpdRefusal, overCeilingError, subSum } from './ceilings.service.ts';
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

/** The stage row FOR SHARE (closing the stage waits for its writers) with the Pemda's settings: one statement. */
async function shareStageWithSettings(
  trx: Trx,
  pemdaId: number,
  stageId: number,
): Promise<{ stage: Stage; settings: Settings }> {
  const r = await trx
    .selectFrom('bud_stage as st')
    .leftJoin('bud_setting as se', 'se.pemda_id', 'st.pemda_id')
    .selectAll('st')
    .select(['se.ppn_rate', 'se.allow_free_text', 'se.version as settings_version'])
    .where('st.pemda_id', '=', pemdaId)
    .where('st.id', '=', stageId)
    .forShare('st')
    .executeTakeFirst();
  if (!r) throw notFound('bud.error.stage_unknown');
  const { ppn_rate, allow_free_text, settings_version, ...stage } = r;
  return {
    stage,
    settings: settingsOf(
      ppn_rate === null ? undefined : { ppn_rate, allow_free_text: allow_free_text!, version: settings_version! },
    ),
  };
}

/** What a line save needs done before it: the sub kegiatan (resolved once by the route) and the parsed body. */
export interface LineSaveContext {
  sub?: SubKegiatan;
  /** The body as the route's schema already parsed it (not parsed again). */
  parsed?: z.output<typeof lineInputSchema>;
}

/**
 * Add an expenditure line to a sub kegiatan: the deadline-day path, kept to a few statements (see
 * lines.sql.snapshot): the stage FOR SHARE with the settings; the account and the catalogue price;
 * the OPD's planned += total if it fits (the OPD row lock, held from here to commit); the sub
 * kegiatan's planned += total if it fits, it is editable and not locked by TAPD, and the line
 * inserted from it, in one statement; the audit record. No sum over the lines: a save costs the
 * same with 100 or 100,000 lines in the OPD.
 */
export async function createLine(
  db: Db,
  actor: Principal,
  subId: number,
  input: LineInput,
  pre: LineSaveContext = {},
): Promise<LineOut> {
  const v = pre.parsed ?? lineInputSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = pre.sub ?? (await getSub(db, pemdaId, subId));
  if (!head || head.id !== subId) throw notFound('bud.error.sub_unknown');
  requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { stage, settings } = await shareStageWithSettings(trx, pemdaId, head.stage_id);
    if (stage.status !== 'open' || stage.kind === 'kua_ppas') assertRkaInputOpen(stage, undefined);
    const priced = await priceLine(trx, pemdaId, stage.year, settings, 'belanja', v);
    const total = BigInt(priced.total);
    const opd = await addToOpdPlanned(trx, pemdaId, stage.id, head.opd_id, total);
    if (!opd) {
      // the sub kegiatan's ceiling is the one to name when both are exceeded
      const sub = await getSub(trx, pemdaId, subId);
      if (sub && BigInt(sub.planned) + total > BigInt(sub.ceiling))
        throw overCeilingError('sub', BigInt(sub.ceiling), BigInt(sub.planned), total);
      throw await explainOpdRefusal(trx, pemdaId, stage.id, head.opd_id, total);
    }
    assertRkaInputOpen(stage, opd); // under the OPD row lock: TAPD's input changes are settled
    const kegiatan = head.code.split('.').slice(0, 5).join('.');
    const p = priced;
    const r = await sql<Line>`WITH s AS (
  UPDATE bud_sub_kegiatan SET planned = planned + ${p.total}::bigint
  WHERE pemda_id = ${pemdaId} AND id = ${subId} AND planned + ${p.total}::bigint <= ceiling
    AND status IN ('draft', 'returned')
    AND NOT EXISTS (SELECT 1 FROM bud_lock k WHERE k.pemda_id = ${pemdaId} AND k.stage_id = ${stage.id}
                    AND k.opd_id = ${head.opd_id} AND k.code IN (${kegiatan}, ${head.code}))
  RETURNING pemda_id, stage_id, opd_id, id, code, kegiatan_code, program_code, funding_source_id)
INSERT INTO bud_line (pemda_id, stage_id, opd_id, kind, sub_kegiatan_id, sub_kegiatan_code, kegiatan_code, program_code,
  account_code, group_header, description_header, item_id, item_version, item_kind, item_code, name, spec, unit,
  catalogue_price, unit_price, v1, u1, v2, u2, v3, u3, v4, u4, subtotal, tax_rate, tax, total, free_text,
  funding_source_id, created_by, updated_by)
SELECT s.pemda_id, s.stage_id, s.opd_id, 'belanja', s.id, s.code, s.kegiatan_code, s.program_code,
  ${p.account_code}, ${p.group_header}, ${p.description_header}, ${p.item_id}::int, ${p.item_version}::int,
  ${p.item_kind}, ${p.item_code}, ${p.name}, ${p.spec}, ${p.unit},
  ${p.catalogue_price}::bigint, ${p.unit_price}::bigint, ${p.v1}::numeric, ${p.u1}, ${p.v2}::numeric, ${p.u2},
  ${p.v3}::numeric, ${p.u3}, ${p.v4}::numeric, ${p.u4}, ${p.subtotal}::bigint, ${p.tax_rate}::numeric, ${p.tax}::bigint,
  ${p.total}::bigint, ${p.free_text}::boolean, coalesce(${v.funding_source_id ?? null}::int, s.funding_source_id),
  ${actor.username}, ${actor.username}
FROM s
RETURNING *`.execute(trx);
    const row = r.rows[0];
    if (!row) throw await explainSubRefusal(trx, pemdaId, stage, opd, subId, total);
    const out = lineOut(row);
    uow.audit({ action: 'create', entity: 'bud_line', entityId: out.id, opdId: head.opd_id, after: out });
    return out;
  });
}

/** Why the sub kegiatan step of {@link createLine} wrote nothing: the error to throw. */
async function explainSubRefusal(
  trx: Trx,
  pemdaId: number,
  stage: Stage,
  opd: OpdCeiling,
  subId: number,
  total: bigint,
): Promise<Error> {
  const sub = await getSub(trx, pemdaId, subId);
  if (!sub) return notFound('bud.error.sub_unknown');
  try {
    await assertOpdMayWrite(trx, stage, opd, sub);
  } catch (err) {
    return err as Error;
  }
  return overCeilingError('sub', BigInt(sub.ceiling), BigInt(sub.planned), total);
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
