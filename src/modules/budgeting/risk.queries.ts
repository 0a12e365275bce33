// Risk signals over the lines of a stage (issue #13), for TAPD and Inspektorat: each rule is one SQL
// query over bud_line returning the line, the rule code, the figures behind the reason and the
// amount at risk. Ranking, review marks and keyword lists live in the controlling module, which
// calls this through index.ts. "Unit price at the catalogue ceiling" is not a signal (the catalogue
// price is the default) but a statistic.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../core/db/database.ts';

export type RiskRule =
  | 'FREE_TEXT'
  | 'DUP_WITHIN'
  | 'DUP_ACROSS'
  | 'SPLIT'
  | 'VOLUME_JUMP'
  | 'OUT_OF_PATTERN'
  | 'KEYWORD'
  | 'OUT_OF_PROPORTION';

export interface RiskCandidate {
  rule: RiskRule;
  line_id: string;
  opd_id: number;
  sub_kegiatan_id: number | null;
  sub_kegiatan_code: string | null;
  account_code: string;
  name: string;
  unit_price: string;
  volume: string;
  total: string;
  /** Amount at risk (integer rupiah). */
  amount: string;
  /** Figures for the reason text (rule-specific). */
  info: Record<string, string | number>;
}

export interface RiskOptions {
  /** Procurement threshold (split purchases). */
  threshold: bigint;
  /** Inspektorat's words (lower case). */
  keywords: string[];
  /** A volume this many times the earlier one is a jump. */
  jumpFactor?: number;
  /** Out of proportion: total at least this, unit price at most `cheapUnit`, volume at least `bulk`. */
  bigTotal?: bigint;
  cheapUnit?: bigint;
  bulk?: number;
}

const COLS = sql`l.id::text AS line_id, l.opd_id, l.sub_kegiatan_id, l.sub_kegiatan_code, l.account_code, l.name,
  l.unit_price::text AS unit_price, (l.v1 * coalesce(l.v2, 1) * coalesce(l.v3, 1) * coalesce(l.v4, 1))::text AS volume, l.total::text AS total`;

/** Every candidate signal of a stage (expenditure lines), all rules. */
export async function riskCandidates(
  db: Db,
  pemdaId: number,
  stageId: number,
  o: RiskOptions,
): Promise<RiskCandidate[]> {
  const jump = o.jumpFactor ?? 3;
  const bigTotal = o.bigTotal ?? 50_000_000n;
  const cheap = o.cheapUnit ?? 500_000n;
  const bulk = o.bulk ?? 1000;
  const base = sql`l.pemda_id = ${pemdaId} AND l.stage_id = ${stageId} AND l.kind = 'belanja'`;
  const out: RiskCandidate[] = [];
  const run = async (rule: RiskRule, q: RawBuilder<unknown>) => {
    const r = await q.execute(db);
    for (const x of r.rows as Array<Record<string, unknown>>) {
      const {
        line_id,
        opd_id,
        sub_kegiatan_id,
        sub_kegiatan_code,
        account_code,
        name,
        unit_price,
        volume,
        total,
        amount,
        ...info
      } = x;
      out.push({
        rule,
        line_id: String(line_id),
        opd_id: Number(opd_id),
        sub_kegiatan_id: sub_kegiatan_id === null ? null : Number(sub_kegiatan_id),
        sub_kegiatan_code: (sub_kegiatan_code as string | null) ?? null,
        account_code: String(account_code),
        name: String(name),
        unit_price: String(unit_price),
        volume: String(volume).replace(/\.?0+$/, ''),
        total: String(total),
        amount: String(amount ?? total),
        info: Object.fromEntries(
          Object.entries(info).map(([k, v]) => [k, typeof v === 'number' ? v : String(v ?? '')]),
        ),
      });
    }
  };
  // items outside the catalogue (travel lines are priced from SBU by the travel service)
  await run(
    'FREE_TEXT',
    sql`SELECT ${COLS}, l.total::text AS amount FROM bud_line l WHERE ${base} AND l.free_text AND l.travel_id IS NULL`,
  );
  // the same item, price and volume twice in one sub kegiatan and account
  await run(
    'DUP_WITHIN',
    sql`SELECT ${COLS}, l.total::text AS amount, d.twin::text AS twin FROM bud_line l
          JOIN LATERAL (SELECT min(o.id) AS twin FROM bud_line o WHERE o.pemda_id = l.pemda_id AND o.stage_id = l.stage_id
                          AND o.sub_kegiatan_id = l.sub_kegiatan_id AND o.account_code = l.account_code AND o.id < l.id
                          AND lower(o.name) = lower(l.name) AND o.spec = l.spec AND o.unit_price = l.unit_price AND o.total = l.total) d ON d.twin IS NOT NULL
         WHERE ${base}`,
  );
  // the same free-text purchase (name and amount) in another OPD
  await run(
    'DUP_ACROSS',
    sql`SELECT ${COLS}, l.total::text AS amount, d.other_opd FROM bud_line l
          JOIN LATERAL (SELECT min(o.opd_id) AS other_opd FROM bud_line o WHERE o.pemda_id = l.pemda_id AND o.stage_id = l.stage_id
                          AND o.kind = 'belanja' AND o.opd_id <> l.opd_id AND o.free_text AND lower(o.name) = lower(l.name)
                          AND o.spec = l.spec AND o.total = l.total) d ON d.other_opd IS NOT NULL
         WHERE ${base} AND l.free_text`,
  );
  // one purchase split: lines of one sub kegiatan for the same item, each under the threshold, together above it
  await run(
    'SPLIT',
    sql`SELECT ${COLS}, g.sum::text AS amount, g.n AS parts FROM bud_line l
          JOIN (SELECT sub_kegiatan_id, coalesce(item_id::text, lower(name)) AS item, unit_price, sum(total) AS sum, count(*)::int AS n
                  FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId} AND kind = 'belanja' AND travel_id IS NULL AND total < ${o.threshold}
                 GROUP BY 1, 2, 3 HAVING count(*) >= 2 AND sum(total) >= ${o.threshold}) g
            ON g.sub_kegiatan_id = l.sub_kegiatan_id AND g.item = coalesce(l.item_id::text, lower(l.name)) AND g.unit_price = l.unit_price
         WHERE ${base} AND l.total < ${o.threshold} AND l.travel_id IS NULL`,
  );
  // volume far above the line it was copied from (previous stage) or the same OPD's item last year
  await run(
    'VOLUME_JUMP',
    sql`WITH cur AS (SELECT l.*, l.v1 * coalesce(l.v2, 1) * coalesce(l.v3, 1) * coalesce(l.v4, 1) AS vol FROM bud_line l WHERE ${base}),
             prev_year AS (SELECT p.opd_id, p.sub_kegiatan_code, coalesce(p.item_id::text, lower(p.name)) AS item,
                                  max(p.v1 * coalesce(p.v2, 1) * coalesce(p.v3, 1) * coalesce(p.v4, 1)) AS vol
                             FROM bud_line p JOIN bud_stage ps ON ps.pemda_id = p.pemda_id AND ps.id = p.stage_id
                            WHERE p.pemda_id = ${pemdaId} AND p.kind = 'belanja' AND ps.status = 'closed' AND ps.kind <> 'kua_ppas'
                              AND ps.year = (SELECT year - 1 FROM bud_stage WHERE pemda_id = ${pemdaId} AND id = ${stageId})
                            GROUP BY 1, 2, 3)
        SELECT ${COLS}, ((l.vol - e.vol) * l.unit_price)::bigint::text AS amount, e.vol::text AS before, e.src
          FROM cur l
          JOIN LATERAL (
            SELECT o.v1 * coalesce(o.v2, 1) * coalesce(o.v3, 1) * coalesce(o.v4, 1) AS vol, 'stage' AS src FROM bud_line o
             WHERE o.pemda_id = l.pemda_id AND o.id = l.origin_line_id
            UNION ALL
            SELECT y.vol, 'year' FROM prev_year y
             WHERE l.origin_line_id IS NULL AND y.opd_id = l.opd_id AND y.sub_kegiatan_code = l.sub_kegiatan_code
               AND y.item = coalesce(l.item_id::text, lower(l.name))
            LIMIT 1) e ON e.vol > 0 AND l.vol >= e.vol * ${jump}`,
  );
  // a rare item for its account with an amount far above the account's usual line
  await run(
    'OUT_OF_PATTERN',
    sql`WITH acc AS (SELECT account_code, count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY total) AS median
                       FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId} AND kind = 'belanja' GROUP BY 1 HAVING count(*) >= 10),
             uses AS (SELECT account_code, coalesce(item_id::text, lower(name)) AS item, count(*) AS n
                        FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId} AND kind = 'belanja' GROUP BY 1, 2)
        SELECT ${COLS}, l.total::text AS amount, round(a.median)::bigint::text AS median, a.n::int AS account_lines
          FROM bud_line l JOIN acc a ON a.account_code = l.account_code
          JOIN uses u ON u.account_code = l.account_code AND u.item = coalesce(l.item_id::text, lower(l.name))
         WHERE ${base} AND u.n = 1 AND l.total >= 5 * a.median AND l.travel_id IS NULL`,
  );
  // Inspektorat's watch words in the name or specification
  if (o.keywords.length)
    await run(
      'KEYWORD',
      sql`SELECT ${COLS}, l.total::text AS amount, k.word FROM bud_line l
            JOIN LATERAL (SELECT w AS word FROM unnest(${o.keywords}::text[]) w
                           WHERE position(w IN lower(l.name || ' ' || l.spec)) > 0 LIMIT 1) k ON true
           WHERE ${base}`,
    );
  // a cheap item bought in bulk to a large amount (a glue item in the hundreds of millions)
  await run(
    'OUT_OF_PROPORTION',
    sql`SELECT ${COLS}, l.total::text AS amount FROM bud_line l
         WHERE ${base} AND l.total >= ${bigTotal} AND l.unit_price <= ${cheap}
           AND l.v1 * coalesce(l.v2, 1) * coalesce(l.v3, 1) * coalesce(l.v4, 1) >= ${bulk}`,
  );
  return out;
}

/** Lines of a stage and how many are priced exactly at the catalogue ceiling (a statistic, not a signal). */
export async function ceilingStatistic(db: Db, pemdaId: number, stageId: number) {
  const r = await sql<{ lines: number; catalogue: number; at_ceiling: number; free_text: number }>`
    SELECT count(*)::int AS lines, count(*) FILTER (WHERE catalogue_price IS NOT NULL)::int AS catalogue,
           count(*) FILTER (WHERE catalogue_price IS NOT NULL AND unit_price = catalogue_price)::int AS at_ceiling,
           count(*) FILTER (WHERE free_text)::int AS free_text
      FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId} AND kind = 'belanja'`.execute(db);
  return r.rows[0]!;
}
