// What the Renstra of an OPD says about program, kegiatan and sub kegiatan codes, for the RKA-SKPD
// print of budgeting (issue #11): each node's indicators with the target of a year, and its
// ceilings (pagu indikatif) per year. Read through index.ts.
import { sql } from 'kysely';
import type { Q } from './common.ts';

export interface RenstraIndicator {
  name: string;
  unit: string;
  /** The target of the asked year, canonical decimal ("80", "12.5"); null when the Renstra sets none. */
  target: string | null;
}

export interface RenstraPerformance {
  indicators: RenstraIndicator[];
  /** Ceiling per year (integer rupiah as a string). */
  ceilings: Map<number, string>;
}

/**
 * The Renstra (of the RPJMD period that covers `year`) of an OPD, for the given nomenclature codes:
 * indicators with their target of `year`, and ceilings of the years `years`. Codes the Renstra does
 * not carry are absent from the map.
 */
export async function renstraPerformance(
  db: Q,
  pemdaId: number,
  opdId: number,
  year: number,
  codes: string[],
  years: number[],
): Promise<Map<string, RenstraPerformance>> {
  const out = new Map<string, RenstraPerformance>();
  if (!codes.length) return out;
  const nodes = sql`SELECT n.id, n.code
      FROM pln_renstra_node n
      JOIN pln_renstra r ON r.pemda_id = n.pemda_id AND r.id = n.renstra_id
      JOIN pln_rpjmd p ON p.pemda_id = r.pemda_id AND p.id = r.rpjmd_id
     WHERE n.pemda_id = ${pemdaId} AND r.opd_id = ${opdId} AND ${year} BETWEEN p.year_from AND p.year_to
       AND n.code IN (${sql.join(codes)})`;
  const ind = await sql<{ code: string; name: string; unit: string; target: string | null }>`
    WITH nodes AS (${nodes})
    SELECT nodes.code, i.name, i.unit, t.value::text AS target
      FROM nodes JOIN pln_indicator i ON i.pemda_id = ${pemdaId} AND i.renstra_node_id = nodes.id
      LEFT JOIN pln_indicator_target t ON t.pemda_id = ${pemdaId} AND t.indicator_id = i.id AND t.year = ${year}
     ORDER BY nodes.code, i.seq, i.id`.execute(db);
  const ceil = await sql<{ code: string; year: number; pagu: string }>`
    WITH nodes AS (${nodes})
    SELECT nodes.code, c.year, c.pagu::text AS pagu
      FROM nodes JOIN pln_renstra_ceiling c ON c.pemda_id = ${pemdaId} AND c.node_id = nodes.id
     WHERE c.year IN (${sql.join(years.length ? years : [year])})`.execute(db);
  const of = (code: string) => {
    let v = out.get(code);
    if (!v) out.set(code, (v = { indicators: [], ceilings: new Map() }));
    return v;
  };
  for (const r of ind.rows) {
    const target = r.target === null ? null : r.target.includes('.') ? r.target.replace(/\.?0+$/, '') : r.target;
    of(r.code).indicators.push({ name: r.name, unit: r.unit, target });
  }
  for (const r of ceil.rows) of(r.code).ceilings.set(Number(r.year), r.pagu);
  return out;
}
