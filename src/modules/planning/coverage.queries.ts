// How far each item of an approved Renja traces up the plan (for the coverage report of the trace,
// issue #13): Renja item → its Renstra node (sub kegiatan) → up the Renstra tree → the RPJMD node a
// Renstra goal or program serves → up the RPJMD tree to an RPJMD goal. Read through index.ts.
import { sql } from 'kysely';
import type { Q } from './common.ts';

/** Why a Renja item does not reach an RPJMD goal ('traced' when it does). */
/**
 * The recursive CTEs `up` (the Renstra nodes above each Renja item of a CTE `items(id,
 * renstra_node_id)`) and `rp` (the RPJMD nodes those serve, up to the goal: item_id, id,
 * parent_id, kind, code, text) — one walk of the planning chain for the coverage and the trace.
 */
export function chainOfItems(pemdaId: number) {
  return sql`up AS (
      SELECT it.id AS item_id, n.id, n.parent_id, n.rpjmd_node_id
        FROM items it JOIN pln_renstra_node n ON n.pemda_id = ${pemdaId} AND n.id = it.renstra_node_id
      UNION ALL
      SELECT up.item_id, p.id, p.parent_id, p.rpjmd_node_id
        FROM up JOIN pln_renstra_node p ON p.pemda_id = ${pemdaId} AND p.id = up.parent_id),
    rp AS (
      SELECT up.item_id, g.id, g.parent_id, g.kind, g.code, g.text
        FROM up JOIN pln_rpjmd_node g ON g.pemda_id = ${pemdaId} AND g.id = up.rpjmd_node_id
      UNION ALL
      SELECT rp.item_id, g.id, g.parent_id, g.kind, g.code, g.text
        FROM rp JOIN pln_rpjmd_node g ON g.pemda_id = ${pemdaId} AND g.id = rp.parent_id)`;
}

export type RenjaLink = 'traced' | 'no_renstra' | 'no_rpjmd';

export interface RenjaItemLink {
  opdId: number;
  subKegiatanCode: string;
  renjaItemId: number;
  link: RenjaLink;
}

/**
 * Every item of the approved Renja of a year with how far it traces: 'traced' (a Renstra ancestor
 * serves an RPJMD node under an RPJMD goal), 'no_renstra' (the item names no Renstra node) or
 * 'no_rpjmd' (its Renstra chain serves no RPJMD goal or program). Resolved in one SQL statement.
 */
export async function renjaItemLinks(db: Q, pemdaId: number, year: number): Promise<RenjaItemLink[]> {
  const r = await sql<{ opd_id: number; sub_kegiatan_code: string; id: number; link: RenjaLink }>`
    WITH RECURSIVE items AS (
      SELECT i.id, r.opd_id, i.sub_kegiatan_code, i.renstra_node_id
        FROM pln_renja_item i JOIN pln_renja r ON r.pemda_id = i.pemda_id AND r.id = i.renja_id
       WHERE i.pemda_id = ${pemdaId} AND r.year = ${year} AND r.status = 'approved'),
    ${chainOfItems(pemdaId)}
    SELECT it.opd_id, it.sub_kegiatan_code, it.id,
           CASE WHEN it.renstra_node_id IS NULL THEN 'no_renstra'
                WHEN EXISTS (SELECT 1 FROM rp WHERE rp.item_id = it.id AND rp.kind = 'goal') THEN 'traced'
                ELSE 'no_rpjmd' END AS link
      FROM items it
     ORDER BY it.opd_id, it.sub_kegiatan_code`.execute(db);
  return r.rows.map((x) => ({
    opdId: Number(x.opd_id),
    subKegiatanCode: x.sub_kegiatan_code,
    renjaItemId: Number(x.id),
    link: x.link,
  }));
}
