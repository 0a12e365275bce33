// The internal trace (transparency, issue #13), over everything: a proposal of any stage and status
// by its tracking code, and the Renja item of an OPD's sub kegiatan in a year whatever the status of
// its Renja, with the RPJMD goal it serves (or where its link stops). Reached through index.ts.
import { sql } from 'kysely';
import type { Q } from './common.ts';
import { findByTrackingCode } from './proposals.read.service.ts';
import { chainOfItems, type RenjaLink } from './coverage.queries.ts';

export interface RenjaItemTrace {
  renjaItemId: number;
  year: number;
  opdId: number;
  subKegiatanCode: string;
  /** Status of the Renja (draft, submitted, verified, approved). */
  renjaStatus: string;
  pagu: string;
  link: RenjaLink;
  /** The RPJMD goal the item serves (code and text), when its chain reaches one. */
  rpjmdGoal: string | null;
}

/** The Renja item of an OPD's sub kegiatan in a year, whatever the status of its Renja. */
export async function renjaItemTrace(
  db: Q,
  pemdaId: number,
  year: number,
  opdId: number,
  sub: string,
): Promise<RenjaItemTrace | undefined> {
  return (
    await renjaTrace(db, pemdaId, sql`r.year = ${year} AND r.opd_id = ${opdId} AND i.sub_kegiatan_code = ${sub}`)
  )[0];
}

/** The Renja item by id, whatever the status of its Renja. */
export async function renjaItemTraceById(db: Q, pemdaId: number, id: number): Promise<RenjaItemTrace | undefined> {
  return (await renjaTrace(db, pemdaId, sql`i.id = ${id}`))[0];
}

async function renjaTrace(db: Q, pemdaId: number, cond: ReturnType<typeof sql>): Promise<RenjaItemTrace[]> {
  const r = await sql<{
    id: number;
    year: number;
    opd_id: number;
    sub_kegiatan_code: string;
    status: string;
    pagu: string;
    renstra_node_id: number | null;
    goal: string | null;
  }>`
    WITH RECURSIVE items AS (
      SELECT i.id, r.year, r.opd_id, i.sub_kegiatan_code, r.status, i.pagu::text AS pagu, i.renstra_node_id
        FROM pln_renja_item i JOIN pln_renja r ON r.pemda_id = i.pemda_id AND r.id = i.renja_id
       WHERE i.pemda_id = ${pemdaId} AND ${cond}),
    ${chainOfItems(pemdaId)}
    SELECT it.*, (SELECT rp.code || ' ' || rp.text FROM rp WHERE rp.item_id = it.id AND rp.kind = 'goal' ORDER BY rp.id LIMIT 1) AS goal
      FROM items it ORDER BY it.year DESC, it.id LIMIT 5`.execute(db);
  return r.rows.map((x) => ({
    renjaItemId: Number(x.id),
    year: Number(x.year),
    opdId: Number(x.opd_id),
    subKegiatanCode: x.sub_kegiatan_code,
    renjaStatus: x.status,
    pagu: x.pagu,
    link: x.renstra_node_id === null ? 'no_renstra' : x.goal ? 'traced' : 'no_rpjmd',
    rpjmdGoal: x.goal,
  }));
}

export interface ProposalTraceRef {
  id: number;
  trackingCode: string;
  kind: 'musrenbang' | 'pokir';
  year: number;
  title: string;
  stage: string;
  status: string;
  opdId: number | null;
  subKegiatanCode: string | null;
  renjaItemId: number | null;
}

/** A proposal or Pokir by tracking code, of any stage and status (internal trace). */
export async function proposalTraceRef(db: Q, pemdaId: number, code: string): Promise<ProposalTraceRef | undefined> {
  const r = await findByTrackingCode(db, pemdaId, code);
  if (!r) return undefined;
  return {
    id: r.id,
    trackingCode: r.tracking_code,
    kind: r.kind,
    year: r.year,
    title: r.title,
    stage: r.stage,
    status: r.status,
    opdId: r.opd_id,
    subKegiatanCode: r.sub_kegiatan_code,
    renjaItemId: r.renja_item_id,
  };
}
