// Public surface of the planning module: the only file other modules import.
import type { Db } from '../../core/db/database.ts';
import type { Trx } from '../../core/audit/audit.ts';
import * as annual from './annual.service.ts';
import * as proposals from './proposals.service.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { conflict } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';

export { planningModule } from './planning.module.ts';
export type { RenjaItemRef } from './annual.service.ts';

/**
 * The item of the OPD's approved Renja for this sub kegiatan and fiscal year, or undefined when the
 * sub kegiatan is not in it (the RKA must then refuse the sub kegiatan). Carries the target, unit,
 * location (region and free text) and funding source the RKA takes over.
 */
export function getApprovedRenjaItem(
  db: Db | Trx,
  pemdaId: number,
  year: number,
  opdId: number,
  subKegiatanCode: string,
): Promise<annual.RenjaItemRef | undefined> {
  return annual.getApprovedRenjaItem(db, pemdaId, year, opdId, subKegiatanCode);
}

/** Every item of the approved Renja of the year (of one OPD, or of all). */
export function listApprovedRenjaItems(
  db: Db | Trx,
  pemdaId: number,
  year: number,
  opdId?: number,
): Promise<annual.RenjaItemRef[]> {
  return annual.listApprovedRenjaItems(db, pemdaId, year, opdId);
}

/** The approved RKPD's indicative ceilings per OPD and sub kegiatan (empty while the RKPD is not approved): the start of the KUA-PPAS ceilings. */
export function rkpdIndicativeCeilings(
  db: Db | Trx,
  pemdaId: number,
  year: number,
): Promise<Array<{ opdId: number; subKegiatanCode: string; paguIndikatif: string; fundingSourceCode: string | null }>> {
  return annual.rkpdIndicativeCeilings(db, pemdaId, year);
}

/** The Musrenbang proposals and Pokir that became (part of) a Renja item. */
export function proposalsForRenjaItem(
  db: Db,
  pemdaId: number,
  renjaItemId: number,
): Promise<Array<{ id: number; trackingCode: string; kind: 'musrenbang' | 'pokir'; title: string }>> {
  return proposals.proposalsForRenjaItem(db, pemdaId, renjaItemId);
}

/**
 * Raise a Musrenbang proposal for the year open to proposals, e.g. by Bappeda from a cluster of
 * Command Center incidents (the evidence goes in `problem`). Returns its id and tracking code.
 */
export async function raiseProposal(
  db: Db,
  actor: Principal,
  input: {
    title: string;
    problem: string;
    kecamatan_id: number;
    kelurahan_id?: number | null;
    volume: string;
    unit: string;
    estimated_cost: string;
    category_code?: string | null;
  },
): Promise<{ id: number; trackingCode: string; year: number }> {
  requirePermission(actor, 'planning.proposal.enter');
  const year = await proposals.openMusrenbangYear(db, actor.pemdaId);
  if (!year) throw conflict('pln.error.musrenbang_closed', undefined, { year: '' });
  const r = await proposals.createProposal(db, actor, { year, ...input });
  return { id: r.id, trackingCode: r.tracking_code, year };
}

/** The Musrenbang proposals and Pokir of a year that have an outcome, as the public may see them
 * (still-pending proposals — the drafts of the cycle — are left out; Pokir only once the Renja is
 * approved). No submitter name or contact. */
export async function listPublicOutcomes(
  db: Db,
  pemdaId: number,
  year: number,
): Promise<
  Array<{
    tracking_code: string;
    kind: 'musrenbang' | 'pokir';
    title: string;
    stage: string;
    status: string;
    opd_id: number | null;
    sub_kegiatan_code: string | null;
    recommended_amount: string | null;
    renja_item_id: number | null;
    kecamatan_id: number;
  }>
> {
  const pokirPublic = await annual.renjaFinalised(db, pemdaId, year);
  let q = db
    .selectFrom('pln_proposal')
    .select([
      'tracking_code',
      'kind',
      'title',
      'stage',
      'status',
      'opd_id',
      'sub_kegiatan_code',
      'recommended_amount',
      'renja_item_id',
      'kecamatan_id',
    ])
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('status', '<>', 'pending');
  if (!pokirPublic) q = q.where('kind', '=', 'musrenbang');
  const rows = await q.orderBy('kind').orderBy('tracking_code').execute();
  return rows.map((r) => ({
    ...r,
    recommended_amount: r.recommended_amount === null ? null : String(r.recommended_amount),
  }));
}

/** The public tracking record of a proposal (undefined when it is not public). */
export function publicProposal(db: Db, pemdaId: number, code: string): Promise<proposals.PublicTrack | undefined> {
  return proposals.publicTrack(db, pemdaId, code);
}

/** Years that have proposals. */
export async function proposalYears(db: Db, pemdaId: number): Promise<number[]> {
  const r = await db
    .selectFrom('pln_proposal')
    .select('year')
    .distinct()
    .where('pemda_id', '=', pemdaId)
    .orderBy('year', 'desc')
    .execute();
  return r.map((x) => x.year);
}

/** How far each item of the approved Renja of a year traces up to an RPJMD goal (coverage report). */
export { renjaItemLinks, type RenjaItemLink, type RenjaLink } from './coverage.queries.ts';
/** An approved Renja for the year in execution, copied from the next year's (tests of the trace). */
export { seedExecutedRenja } from './seed.executed.ts';
/** The internal trace: any proposal by tracking code; a Renja item whatever its status, with its RPJMD goal. */
export {
  proposalTraceRef,
  renjaItemTrace,
  renjaItemTraceById,
  type ProposalTraceRef,
  type RenjaItemTrace,
} from './trace.queries.ts';
/** The Renstra's indicators (with a year's targets) and ceilings of program/kegiatan/sub kegiatan codes of an OPD (RKA print). */
export { renstraPerformance, type RenstraIndicator, type RenstraPerformance } from './print.queries.ts';
