// The line save: the path every OPD runs at the deadline (POST /api/v1/budget/sub-kegiatan/{id}/lines
// and the editor's form). Two statements after the session's, kept in line-save.sql.snap:
//
// 1. read (no lock): the sub kegiatan with its stage, the Pemda's settings and the OPD's input access;
//    the account of the stage's year (master-data's fragment) and the catalogue item's current price
//    (catalogue's fragment); a new line id. The OPD check of the request is made on this read.
// 2. write, one statement (atomic without BEGIN … COMMIT): the stage FOR SHARE while it is open for an
//    RKA; the OPD's planned += total if it fits its ceiling and the OPD's input is open (the OPD row
//    lock); the sub kegiatan's planned += total if it fits, is editable, is not locked by TAPD and is
//    the one priced; the line; its audit record. When the OPD step wrote but the sub kegiatan step
//    did not, core_fail undoes the statement. No sum over the lines: a save costs the same with 100
//    or 100,000 lines in the OPD. Locks in the order of every other write: stage, OPD, sub kegiatan.
//
// A refusal is explained afterwards by reading the rows again (the error path may be slower).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { auditInStatement, auditRecord, type AuditRecord } from '../../core/audit/audit.ts';
import { failWhen, isFailure } from '../../core/db/fail.ts';
import { prepared } from '../../core/db/prepared.ts';
import { notFound } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { accountHeadJson, accountHeadOf } from '../master-data/index.ts';
import { currentPriceJson, pricedItemOf } from '../catalogue/index.ts';
import { getStage, inputOpenSql, type OpdCeiling, type StageHead } from './stages.service.ts';
import { settingsOf, type Settings } from './settings.service.ts';
import { priceWith, type PriceLookups } from './pricing.ts';
import { getOpdCeiling, overCeilingError } from './ceilings.service.ts';
import { assertOpdMayWrite, assertRkaInputOpen, assertSubEditable, getSub } from './subs.service.ts';
import { staleError } from './errors.ts';
import type { Line, SubKegiatan } from './rka.common.ts';
import { lineInputSchema, type LineInput, type LineOut } from './lines.schema.ts';
import { lineOut } from './lines.service.ts';

/** The sub kegiatan's columns a line save needs (fewer columns: less for the driver to decode per save). */
const SUB_COLUMNS = [
  'pemda_id',
  'id',
  'stage_id',
  'opd_id',
  'code',
  'kegiatan_code',
  'program_code',
  'status',
  'funding_source_id',
] as const satisfies ReadonlyArray<keyof SubKegiatan>;

/** What a line save reads before it writes (statement 1). */
export interface LineSaveContext extends PriceLookups {
  sub: Pick<SubKegiatan, (typeof SUB_COLUMNS)[number]>;
  stage: StageHead;
  settings: Settings;
  /** The OPD's input access in the stage (undefined when the OPD has no ceiling row). */
  opd: Pick<OpdCeiling, 'input_mode' | 'input_until'> | undefined;
  /** The id the new line will have. */
  lineId: string;
}

// Statement 1, built and compiled once (core/db/prepared.ts): only the values change per save.
const contextQuery = prepared((db, p: { pemdaId: number; subId: number; accountCode: string; itemId: number | null }) =>
  db
    .selectFrom('bud_sub_kegiatan as sub')
    .innerJoin('bud_stage as st', (j) =>
      j.onRef('st.pemda_id', '=', 'sub.pemda_id').onRef('st.id', '=', 'sub.stage_id'),
    )
    .leftJoin('bud_setting as se', 'se.pemda_id', 'sub.pemda_id')
    .leftJoin('bud_opd_ceiling as oc', (j) =>
      j
        .onRef('oc.pemda_id', '=', 'sub.pemda_id')
        .onRef('oc.stage_id', '=', 'sub.stage_id')
        .onRef('oc.opd_id', '=', 'sub.opd_id'),
    )
    .select(SUB_COLUMNS.map((c) => `sub.${c}` as const))
    .select([
      'st.name as stage_name',
      'st.status as stage_status',
      'st.kind as stage_kind',
      'st.year as stage_year',
      'st.input_opens_at as stage_opens_at',
      'st.input_closes_at as stage_closes_at',
      'se.ppn_rate',
      'se.allow_free_text',
      'se.version as settings_version',
      'oc.input_mode',
      'oc.input_until',
      'oc.opd_id as ceiling_opd_id',
    ])
    .select(accountHeadJson(p.pemdaId, sql`st.year`, p.accountCode).as('account'))
    .select(currentPriceJson(p.pemdaId, p.itemId).as('item'))
    .select(sql<string>`nextval('bud_line_id_seq'::regclass)`.as('line_id'))
    .where('sub.pemda_id', '=', p.pemdaId)
    .where('sub.id', '=', p.subId),
);

/** Statement 1: undefined when the Pemda has no such sub kegiatan. */
export async function readLineSaveContext(
  db: Db,
  pemdaId: number,
  subId: number,
  v: Pick<LineInput, 'account_code' | 'item_id'>,
): Promise<LineSaveContext | undefined> {
  const r = await contextQuery.first(db, {
    pemdaId,
    subId,
    accountCode: v.account_code.trim(),
    itemId: v.item_id ?? null,
  });
  if (!r) return undefined;
  const {
    stage_name,
    stage_status,
    stage_kind,
    stage_year,
    stage_opens_at,
    stage_closes_at,
    ppn_rate,
    allow_free_text,
    settings_version,
    input_mode,
    input_until,
    ceiling_opd_id,
    account,
    item,
    line_id,
    ...sub
  } = r;
  return {
    sub,
    stage: {
      id: sub.stage_id,
      pemda_id: pemdaId,
      name: stage_name,
      status: stage_status,
      kind: stage_kind,
      year: stage_year,
      input_opens_at: stage_opens_at,
      input_closes_at: stage_closes_at,
    },
    settings: settingsOf(
      ppn_rate === null ? undefined : { ppn_rate, allow_free_text: allow_free_text!, version: settings_version! },
    ),
    opd: ceiling_opd_id === null ? undefined : { input_mode: input_mode!, input_until },
    account: accountHeadOf(account),
    item: pricedItemOf(item),
    lineId: String(line_id),
  };
}

// the error code of core_fail when the sub kegiatan step refused after the OPD step wrote (not a message)
const SUB_REFUSED = 'line_save_sub_refused';

/** The values of statement 2: the line, its audit record, and what the sub kegiatan must still be. */
type WriteValues = Line &
  AuditRecord & {
    /** The sub kegiatan's funding source as read (the line may name another). */
    sub_funding_source_id: number | null;
  };

// Statement 2, built and compiled once like statement 1 (its ~3 KB of SQL is not rebuilt per save)
const writeQuery = prepared(
  (_db, l: WriteValues) => sql<{ id: string | null; refused: boolean | null }>`WITH st AS (
  SELECT input_opens_at, input_closes_at FROM bud_stage
  WHERE pemda_id = ${l.pemda_id} AND id = ${l.stage_id} AND status = 'open' AND kind <> 'kua_ppas' FOR SHARE),
o AS (
  UPDATE bud_opd_ceiling c SET planned = c.planned + ${l.total}::bigint FROM st
  WHERE c.pemda_id = ${l.pemda_id} AND c.stage_id = ${l.stage_id} AND c.opd_id = ${l.opd_id}
    AND c.planned + ${l.total}::bigint <= c.ceiling AND ${inputOpenSql('c', 'st')}
  RETURNING c.opd_id),
s AS (
  UPDATE bud_sub_kegiatan SET planned = planned + ${l.total}::bigint
  WHERE pemda_id = ${l.pemda_id} AND id = ${l.sub_kegiatan_id} AND EXISTS (SELECT 1 FROM o)
    AND planned + ${l.total}::bigint <= ceiling AND status IN ('draft', 'returned')
    AND code = ${l.sub_kegiatan_code} AND funding_source_id IS NOT DISTINCT FROM ${l.sub_funding_source_id}::int
    AND NOT EXISTS (SELECT 1 FROM bud_lock k WHERE k.pemda_id = ${l.pemda_id} AND k.stage_id = ${l.stage_id}
                    AND k.opd_id = ${l.opd_id} AND k.code IN (${l.kegiatan_code}, ${l.sub_kegiatan_code}))
  RETURNING id),
ins AS (
  INSERT INTO bud_line (pemda_id, id, stage_id, opd_id, kind, sub_kegiatan_id, sub_kegiatan_code, kegiatan_code,
    program_code, account_code, group_header, description_header, item_id, item_version, item_kind, item_code, name,
    spec, unit, catalogue_price, unit_price, v1, u1, v2, u2, v3, u3, v4, u4, subtotal, tax_rate, tax, total, free_text,
    funding_source_id, line_key, created_by, updated_by, created_at, updated_at)
  SELECT ${l.pemda_id}, ${l.id}::bigint, ${l.stage_id}, ${l.opd_id}, 'belanja', s.id, ${l.sub_kegiatan_code},
    ${l.kegiatan_code}, ${l.program_code}, ${l.account_code}, ${l.group_header}, ${l.description_header},
    ${l.item_id}::int, ${l.item_version}::int, ${l.item_kind}, ${l.item_code}, ${l.name}, ${l.spec}, ${l.unit},
    ${l.catalogue_price}::bigint, ${l.unit_price}::bigint, ${l.v1}::numeric, ${l.u1}, ${l.v2}::numeric, ${l.u2},
    ${l.v3}::numeric, ${l.u3}, ${l.v4}::numeric, ${l.u4}, ${l.subtotal}::bigint, ${l.tax_rate}::numeric,
    ${l.tax}::bigint, ${l.total}::bigint, ${l.free_text}::boolean, ${l.funding_source_id}::int, ${l.line_key}::uuid,
    ${l.created_by}, ${l.updated_by}, ${l.created_at}::timestamptz, ${l.updated_at}::timestamptz
  FROM s
  RETURNING id),
${auditInStatement(l, sql`EXISTS (SELECT 1 FROM ins)`)}
SELECT ins.id,
  ${failWhen(sql`ins.id IS NULL AND EXISTS (SELECT 1 FROM o)`, SUB_REFUSED)} AS refused
FROM (VALUES (1)) AS one (x) LEFT JOIN ins ON true`,
);

/** Add an expenditure line to a sub kegiatan (see the head of this file). */
export async function createLine(
  db: Db,
  actor: Principal,
  subId: number,
  input: LineInput,
  pre: { ctx?: LineSaveContext; parsed?: LineInput } = {},
): Promise<LineOut> {
  const v = pre.parsed ?? lineInputSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const ctx = pre.ctx ?? (await readLineSaveContext(db, pemdaId, subId, v));
  if (!ctx || ctx.sub.id !== subId) throw notFound('bud.error.sub_unknown');
  const { sub, stage } = ctx;
  requirePermission(actor, 'bud.line.write', { opdId: sub.opd_id });
  // refused early on what was read; the write checks the same again under its locks
  assertRkaInputOpen(stage, ctx.opd);
  assertSubEditable(sub);
  const p = priceWith(ctx, stage.year, ctx.settings, 'belanja', v);
  const at = new Date();
  const line: Line = {
    pemda_id: pemdaId,
    id: ctx.lineId,
    stage_id: sub.stage_id,
    opd_id: sub.opd_id,
    kind: 'belanja',
    sub_kegiatan_id: sub.id,
    sub_kegiatan_code: sub.code,
    kegiatan_code: sub.kegiatan_code,
    program_code: sub.program_code,
    ...p,
    funding_source_id: p.funding_source_id ?? sub.funding_source_id,
    travel_id: null,
    travel_component: null,
    review_note: null,
    line_key: randomUUID(),
    origin_line_id: null,
    version: 1,
    created_by: actor.username,
    updated_by: actor.username,
    created_at: at,
    updated_at: at,
  };
  const out = lineOut(line);
  const audit = auditRecord(
    actor,
    { action: 'create', entity: 'bud_line', entityId: out.id, opdId: sub.opd_id, after: out },
    at,
  );
  let row: { id: string | null } | undefined;
  try {
    // the line object takes the other values in place: a spread into a new object of ~60 properties
    // takes V8's slow path (~35 µs a save, measured)
    const values: WriteValues = Object.assign(line, audit, { sub_funding_source_id: sub.funding_source_id });
    row = await writeQuery.first(db, values);
  } catch (err) {
    if (isFailure(err, SUB_REFUSED)) throw await explainRefusal(db, ctx, BigInt(line.total));
    throw err;
  }
  if (!row || row.id === null) throw await explainRefusal(db, ctx, BigInt(line.total));
  // the line as written: every column came from \`line\` (the test reads it back to compare)
  return out;
}

/**
 * Why the write of {@link createLine} wrote nothing, read afresh: the stage, the OPD's input, the
 * sub kegiatan's status and TAPD's locks, then the ceilings (the sub kegiatan's named first when
 * both are exceeded). When nothing refuses it any more, the sub kegiatan changed under the save (409).
 */
async function explainRefusal(db: Db, ctx: LineSaveContext, total: bigint): Promise<Error> {
  const { pemda_id: pemdaId, id: subId, stage_id: stageId, opd_id: opdId } = ctx.sub;
  const [stage, opd, sub] = await Promise.all([
    getStage(db, pemdaId, stageId),
    getOpdCeiling(db, pemdaId, stageId, opdId),
    getSub(db, pemdaId, subId),
  ]);
  if (!stage || !sub || !opd) return notFound('bud.error.sub_unknown');
  try {
    await assertOpdMayWrite(db, stage, opd, sub);
  } catch (err) {
    return err as Error;
  }
  if (BigInt(sub.planned) + total > BigInt(sub.ceiling))
    return overCeilingError('sub', BigInt(sub.ceiling), BigInt(sub.planned), total);
  if (BigInt(opd.planned) + total > BigInt(opd.ceiling))
    return overCeilingError('opd', BigInt(opd.ceiling), BigInt(opd.planned), total);
  return staleError(undefined);
}
