// The Renja workflow: draft → submitted (OPD) → verified → approved (Bappeda); and the surface budgeting reads.
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { notFound, forbidden, conflict, fieldError } from '../../core/errors.ts';
import { type Principal, isOpdScoped } from '../../core/roles.ts';
import { versionIn, optText, type Q, cleanDecimal } from './common.ts';
import type { RenjaStatus } from './planning.tables.ts';
import { blockOnErrors, getRenja, renjaChecks } from './renja.service.ts';

// ---- Renja workflow -------------------------------------------------------------------------------------

const transitionSchema = z.object({ version: versionIn, note: optText(2000) });

async function transition(
  db: Db,
  p: Principal,
  id: number,
  input: z.input<typeof transitionSchema>,
  from: RenjaStatus[],
  to: RenjaStatus,
  action: string,
  extra: (trx: Q, r: NonNullable<Awaited<ReturnType<typeof getRenja>>>) => Promise<void> = async () => {},
) {
  const v = transitionSchema.parse(input);
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_renja')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound();
    if (isOpdScoped(p.role) && p.opdId !== before.opd_id) throw forbidden('error.forbidden_opd');
    if (before.version !== v.version) throw conflict('error.conflict', { current: before });
    if (!from.includes(before.status))
      throw conflict('pln.error.renja_bad_status', undefined, { status: before.status });
    await extra(uow.trx, before);
    const now = new Date();
    const who = p.fullName || p.username;
    const row = await uow.trx
      .updateTable('pln_renja')
      .set({
        status: to,
        note: v.note ?? (to === 'draft' ? before.note : ''),
        version: before.version + 1,
        updated_at: now,
        ...(to === 'submitted' ? { submitted_at: now } : {}),
        ...(to === 'verified' ? { verified_at: now, verified_by: who } : {}),
        ...(to === 'approved' ? { approved_at: now, approved_by: who } : {}),
        ...(to === 'draft' ? { verified_at: null, verified_by: null, approved_at: null, approved_by: null } : {}),
      })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action, entity: 'renja', entityId: id, opdId: before.opd_id, before, after: row });
    return row;
  });
}

/** The OPD sends its draft Renja to Bappeda. */
export const submitRenja = (db: Db, p: Principal, id: number, input: z.input<typeof transitionSchema>) =>
  transition(db, p, id, input, ['draft'], 'submitted', 'submit');

/** Bappeda verifies a submitted Renja: the checks must pass. */
export const verifyRenja = (db: Db, p: Principal, id: number, input: z.input<typeof transitionSchema>) =>
  transition(db, p, id, input, ['submitted'], 'verified', 'verify', async (trx, r) =>
    blockOnErrors(await renjaChecks(trx, p.pemdaId, r.id)),
  );

/** Bappeda sends a submitted or verified Renja back to the OPD (draft) with a note. */
export const returnRenja = (db: Db, p: Principal, id: number, input: z.input<typeof transitionSchema>) => {
  if (!input.note || !String(input.note).trim()) throw fieldError('note', 'field.required');
  return transition(db, p, id, input, ['submitted', 'verified'], 'draft', 'return');
};

/** Bappeda reopens an approved Renja for revision (it stops being what the RKA may choose from). */
export const reviseRenja = (db: Db, p: Principal, id: number, input: z.input<typeof transitionSchema>) => {
  if (!input.note || !String(input.note).trim()) throw fieldError('note', 'field.required');
  return transition(db, p, id, input, ['approved'], 'draft', 'revise');
};

/** Is the year's Pokir entry window open right now? */
export async function pokirWindowOpen(db: Q, pemdaId: number, year: number, now = new Date()): Promise<boolean> {
  const c = await db
    .selectFrom('pln_cycle')
    .select(['pokir_opens_at', 'pokir_closes_at'])
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .executeTakeFirst();
  if (!c?.pokir_opens_at || !c.pokir_closes_at) return false;
  return new Date(c.pokir_opens_at) <= now && now < new Date(c.pokir_closes_at);
}

/** Bappeda approves a verified Renja: the checks must pass and the year's Pokir window must be closed. */
export const approveRenja = (db: Db, p: Principal, id: number, input: z.input<typeof transitionSchema>) =>
  transition(db, p, id, input, ['verified'], 'approved', 'approve', async (trx, r) => {
    if (await pokirWindowOpen(trx, p.pemdaId, r.year)) throw conflict('pln.error.pokir_window_open');
    blockOnErrors(await renjaChecks(trx, p.pemdaId, r.id));
  });

/** Has the finalisation of the year's Renja begun (at least one approved)? Pokir entry then stops and the Pokir list is public. */
export async function renjaFinalised(db: Q, pemdaId: number, year: number): Promise<boolean> {
  const r = await db
    .selectFrom('pln_renja')
    .select('id')
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('status', '=', 'approved')
    .limit(1)
    .executeTakeFirst();
  return Boolean(r);
}

// ---- the public surface used by budgeting ------------------------------------------------------------

export interface RenjaItemRef {
  renjaItemId: number;
  year: number;
  opdId: number;
  subKegiatanCode: string;
  target: string | null;
  unit: string | null;
  regionId: number | null;
  /** Free-text location of the item ('' when none). */
  location: string;
  fundingSourceCode: string | null;
  paguIndikatif: string;
}

function approvedItems(db: Q, pemdaId: number, year: number) {
  return db
    .selectFrom('pln_renja_item as i')
    .innerJoin('pln_renja as r', (j) => j.onRef('r.pemda_id', '=', 'i.pemda_id').onRef('r.id', '=', 'i.renja_id'))
    .select([
      'i.id',
      'r.year',
      'r.opd_id',
      'i.sub_kegiatan_code',
      'i.target',
      'i.unit',
      'i.region_id',
      'i.location',
      'i.funding_source_code',
      'i.pagu',
    ])
    .where('i.pemda_id', '=', pemdaId)
    .where('r.year', '=', year)
    .where('r.status', '=', 'approved');
}

function toRef(r: {
  id: number;
  year: number;
  opd_id: number;
  sub_kegiatan_code: string;
  target: string | null;
  unit: string | null;
  region_id: number | null;
  location: string;
  funding_source_code: string | null;
  pagu: string;
}): RenjaItemRef {
  return {
    renjaItemId: r.id,
    year: r.year,
    opdId: r.opd_id,
    subKegiatanCode: r.sub_kegiatan_code,
    target: cleanDecimal(r.target),
    unit: r.unit,
    regionId: r.region_id,
    location: r.location,
    fundingSourceCode: r.funding_source_code,
    paguIndikatif: r.pagu,
  };
}

/** The item of the OPD's approved Renja for this sub kegiatan; undefined when the sub kegiatan is not in it. */
export async function getApprovedRenjaItem(
  db: Q,
  pemdaId: number,
  year: number,
  opdId: number,
  subKegiatanCode: string,
): Promise<RenjaItemRef | undefined> {
  const r = await approvedItems(db, pemdaId, year)
    .where('r.opd_id', '=', opdId)
    .where('i.sub_kegiatan_code', '=', subKegiatanCode)
    .executeTakeFirst();
  return r ? toRef(r) : undefined;
}

export async function listApprovedRenjaItems(
  db: Q,
  pemdaId: number,
  year: number,
  opdId?: number,
): Promise<RenjaItemRef[]> {
  let q = approvedItems(db, pemdaId, year);
  if (opdId !== undefined) q = q.where('r.opd_id', '=', opdId);
  return (await q.orderBy('r.opd_id').orderBy('i.sub_kegiatan_code').execute()).map(toRef);
}

/** The approved RKPD's indicative ceilings per OPD and sub kegiatan (empty when the RKPD is not approved). */
export async function rkpdIndicativeCeilings(db: Q, pemdaId: number, year: number) {
  const rows = await db
    .selectFrom('pln_rkpd_item as i')
    .innerJoin('pln_rkpd as r', (j) => j.onRef('r.pemda_id', '=', 'i.pemda_id').onRef('r.id', '=', 'i.rkpd_id'))
    .select(['i.opd_id', 'i.sub_kegiatan_code', 'i.pagu', 'i.funding_source_code'])
    .where('i.pemda_id', '=', pemdaId)
    .where('r.year', '=', year)
    .where('r.status', '=', 'approved')
    .orderBy('i.opd_id')
    .orderBy('i.sub_kegiatan_code')
    .execute();
  return rows.map((r) => ({
    opdId: r.opd_id,
    subKegiatanCode: r.sub_kegiatan_code,
    paguIndikatif: r.pagu,
    fundingSourceCode: r.funding_source_code,
  }));
}
