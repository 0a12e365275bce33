// The lines behind a figure (drill-down) and the line-level difference between two stages of one
// OPD. Both filter bud_line in SQL and page the result; amounts stay decimal strings.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../../core/db/database.ts';
import type { Lang } from '../../../core/i18n/i18n.ts';
import { latestAuditOf, latestDeletionsOf } from '../../../core/audit/history.ts';
import { coefficientLabel } from '../calc.ts';
import { factorsOf, type Line } from '../rka.service.ts';
import type { Stage } from '../stages.service.ts';
import { opdInfos, type DrillFilter } from './engine.ts';

export interface DrillLine {
  id: string;
  stage_id: number;
  opd_id: number;
  kind: string;
  sub_kegiatan_code: string | null;
  account_code: string;
  name: string;
  spec: string;
  coefficient: string;
  unit_price: string;
  total: string;
  updated_by: string;
}

/** The SQL condition of a drill filter on bud_line `l`. */
async function drillWhere(db: Db, pemdaId: number, stageId: number, f: DrillFilter): Promise<RawBuilder<unknown>> {
  const parts: RawBuilder<unknown>[] = [sql`l.pemda_id = ${pemdaId}`, sql`l.stage_id = ${stageId}`];
  if (f.opd) parts.push(sql`l.opd_id = ${f.opd}`);
  if (f.sub) parts.push(sql`left(l.sub_kegiatan_code, ${f.sub.length}) = ${f.sub}`);
  if (f.acc) parts.push(sql`left(l.account_code, ${f.acc.length}) = ${f.acc}`);
  if (f.ub) {
    // expenditure by its sub kegiatan's bidang; revenue and financing by the OPD's (first) bidang
    const opds = [...(await opdInfos(db, pemdaId, [stageId])).values()]
      .filter((o) => o.bidang.startsWith(f.ub!) && (f.ub!.length === 1 || o.bidang === f.ub))
      .map((o) => o.id);
    const inOpds = opds.length ? sql`l.opd_id IN (${sql.join(opds)})` : sql`false`;
    parts.push(
      sql`(left(l.sub_kegiatan_code, ${f.ub.length}) = ${f.ub} OR (l.sub_kegiatan_code IS NULL AND ${inOpds}))`,
    );
  }
  if (f.fn)
    parts.push(
      sql`left(l.sub_kegiatan_code, 4) IN (SELECT bidang_code FROM bud_bidang_function WHERE pemda_id = ${pemdaId} AND function_code = ${f.fn})`,
    );
  return sql.join(parts, sql` AND `);
}

export async function drillLines(
  db: Db,
  pemdaId: number,
  stage: Stage,
  f: DrillFilter,
  lang: Lang,
  page: { limit: number; offset: number },
) {
  const where = await drillWhere(db, pemdaId, stage.id, f);
  const sum = await sql<{
    total: string;
    n: number;
  }>`SELECT coalesce(sum(l.total), 0)::text AS total, count(*)::int AS n FROM bud_line l WHERE ${where}`.execute(db);
  const rows = await sql<Line>`SELECT l.* FROM bud_line l WHERE ${where}
      ORDER BY l.opd_id, l.sub_kegiatan_code NULLS FIRST, l.account_code, l.group_header, l.description_header, l.id
      LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db);
  const lines: DrillLine[] = rows.rows.map((l) => ({
    id: String(l.id),
    stage_id: l.stage_id,
    opd_id: l.opd_id,
    kind: l.kind,
    sub_kegiatan_code: l.sub_kegiatan_code,
    account_code: l.account_code,
    name: l.name,
    spec: l.spec,
    coefficient: coefficientLabel(lang, factorsOf(l)),
    unit_price: String(l.unit_price),
    total: String(l.total),
    updated_by: l.updated_by,
  }));
  return { total: sum.rows[0]!.total, count: sum.rows[0]!.n, rows: lines };
}

// ---- line diff -------------------------------------------------------------------------------------
export type Change = 'added' | 'removed' | 'changed';

export interface LineSide {
  id: string;
  sub_kegiatan_code: string | null;
  account_code: string;
  name: string;
  spec: string;
  coefficient: string;
  unit_price: string;
  total: string;
}

export interface DiffRow {
  line_key: string;
  change: Change;
  before: LineSide | null;
  after: LineSide | null;
  difference: string;
  /** Who changed it: the last audit entry of the line in the later stage (or its deletion), else the line's own stamp. */
  by: { actor: string; action: string; at: Date | null };
}

const SIDE = [
  'id',
  'sub_kegiatan_code',
  'account_code',
  'name',
  'spec',
  'unit_price',
  'total',
  'v1',
  'u1',
  'v2',
  'u2',
  'v3',
  'u3',
  'v4',
  'u4',
  'updated_by',
  'updated_at',
] as const;
const COMPARED = [
  'sub_kegiatan_code',
  'account_code',
  'group_header',
  'description_header',
  'item_id',
  'name',
  'spec',
  'unit',
  'unit_price',
  'v1',
  'u1',
  'v2',
  'u2',
  'v3',
  'u3',
  'v4',
  'u4',
  'tax_rate',
  'total',
  'funding_source_id',
];

/** Added, removed and changed lines of an OPD from stage `from` to stage `to`, matched by line_key. */
export async function lineDiff(
  db: Db,
  pemdaId: number,
  opdId: number,
  from: Stage,
  to: Stage,
  lang: Lang,
  limit = 5000,
): Promise<{ rows: DiffRow[]; counts: Record<Change, number>; before: string; after: string }> {
  const cols = (p: 'a' | 'b') => sql.join(SIDE.map((c) => sql`${sql.ref(`${p}.${c}`)} AS ${sql.raw(`${p}_${c}`)}`));
  const differs = sql.join(
    COMPARED.map((c) => sql`${sql.ref(`a.${c}`)} IS DISTINCT FROM ${sql.ref(`b.${c}`)}`),
    sql` OR `,
  );
  const r = await sql<Record<string, unknown>>`
    SELECT coalesce(b.line_key, a.line_key)::text AS line_key,
           CASE WHEN a.id IS NULL THEN 'added' WHEN b.id IS NULL THEN 'removed' ELSE 'changed' END AS change,
           ${cols('a')}, ${cols('b')}
      FROM (SELECT * FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${from.id} AND opd_id = ${opdId}) a
      FULL OUTER JOIN (SELECT * FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${to.id} AND opd_id = ${opdId}) b ON b.line_key = a.line_key
     WHERE a.id IS NULL OR b.id IS NULL OR ${differs}
     ORDER BY coalesce(b.sub_kegiatan_code, a.sub_kegiatan_code) NULLS FIRST, coalesce(b.account_code, a.account_code), coalesce(b.id, a.id)
     LIMIT ${limit}`.execute(db);
  // Who last touched each line (core's audit API): the line's last entry, or its deletion at stage `to`.
  const lastChange = await latestAuditOf(
    db,
    pemdaId,
    'bud_line',
    r.rows.filter((row) => row.b_id !== null).map((row) => String(row.b_id)),
  );
  const lastDeletion = await latestDeletionsOf(db, pemdaId, 'bud_line', {
    keyField: 'line_key',
    keys: r.rows.filter((row) => row.b_id === null).map((row) => String(row.line_key)),
    where: { stage_id: to.id },
    opdId,
  });
  const side = (row: Record<string, unknown>, p: 'a' | 'b'): LineSide | null => {
    if (row[`${p}_id`] === null) return null;
    const g = (c: string) => row[`${p}_${c}`] as string;
    const l = {
      v1: g('v1'),
      u1: g('u1'),
      v2: g('v2'),
      u2: g('u2'),
      v3: g('v3'),
      u3: g('u3'),
      v4: g('v4'),
      u4: g('u4'),
    };
    return {
      id: String(g('id')),
      sub_kegiatan_code: g('sub_kegiatan_code'),
      account_code: g('account_code'),
      name: g('name'),
      spec: g('spec'),
      coefficient: coefficientLabel(lang, factorsOf(l)),
      unit_price: String(g('unit_price')),
      total: String(g('total')),
    };
  };
  const counts: Record<Change, number> = { added: 0, removed: 0, changed: 0 };
  const rows: DiffRow[] = r.rows.map((row) => {
    const before = side(row, 'a');
    const after = side(row, 'b');
    const change = row.change as Change;
    counts[change]++;
    const mark = after ? lastChange.get(String(row.b_id)) : lastDeletion.get(String(row.line_key));
    return {
      line_key: String(row.line_key),
      change,
      before,
      after,
      difference: (BigInt(after?.total ?? '0') - BigInt(before?.total ?? '0')).toString(),
      by: mark
        ? { actor: mark.actor, action: mark.action, at: mark.at }
        : {
            actor: String(row[after ? 'b_updated_by' : 'a_updated_by'] ?? ''),
            action: 'stamp',
            at: row[after ? 'b_updated_at' : 'a_updated_at']
              ? new Date(row[after ? 'b_updated_at' : 'a_updated_at'] as string)
              : null,
          },
    };
  });
  const totals = await sql<{ before: string; after: string }>`
    SELECT coalesce(sum(total) FILTER (WHERE stage_id = ${from.id}), 0)::text AS before, coalesce(sum(total) FILTER (WHERE stage_id = ${to.id}), 0)::text AS after
      FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id IN (${from.id}, ${to.id}) AND opd_id = ${opdId}`.execute(
    db,
  );
  return { rows, counts, ...totals.rows[0]! };
}
