// Musrenbang proposals: photos, and the public tracking by code.
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { fieldError } from '../../core/errors.ts';
import { type Principal } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { getRegion, getOrganisation, getNomenclature } from '../master-data/index.ts';
import { type Q, cleanDecimal } from './common.ts';
import { renjaFinalised } from './annual.service.ts';
import type { ProposalKind, Stage, ProposalStatus } from './planning.tables.ts';
import { findByTrackingCode, loadProposal, proposalSteps } from './proposals.read.service.ts';
import { checkEditor } from './proposals.entry.service.ts';

// ---- photos ------------------------------------------------------------------------------------------------

export const PHOTO_MAX_BYTES = 1024 * 1024;

export function photoType(data: Buffer): 'image/jpeg' | 'image/png' | 'image/webp' | null {
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length > 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (
    data.length > 12 &&
    data.subarray(0, 4).toString('latin1') === 'RIFF' &&
    data.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  return null;
}

/** Attach (or replace) the photo of a proposal: the editor of the proposal, or the citizen's form right after submitting. */
export async function setPhoto(
  db: Db,
  p: Principal,
  id: number,
  data: Buffer,
  opts: { skipEditorCheck?: boolean } = {},
) {
  if (data.length > PHOTO_MAX_BYTES) throw fieldError('photo', 'pln.error.photo_too_large');
  const type = photoType(data);
  if (!type) throw fieldError('photo', 'pln.error.photo_type');
  const r = await loadProposal(db, p.pemdaId, id);
  // The citizen's photo, sent with the form just submitted (the public principal may do only that).
  if (opts.skipEditorCheck) requirePermission(p, 'planning.proposal.citizen');
  else await checkEditor(db, p, r);
  await mutate(db, p, async (uow) => {
    await uow.trx
      .insertInto('pln_proposal_photo')
      .values({ pemda_id: p.pemdaId, proposal_id: id, content_type: type, data })
      .onConflict((oc) => oc.columns(['pemda_id', 'proposal_id']).doUpdateSet({ content_type: type, data }))
      .execute();
    await uow.trx
      .updateTable('pln_proposal')
      .set({ has_photo: true })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .execute();
    uow.audit({
      action: 'photo',
      entity: 'proposal',
      entityId: id,
      opdId: r.opd_id,
      after: { content_type: type, bytes: data.length },
    });
  });
}

export async function getPhoto(db: Q, pemdaId: number, id: number) {
  return db
    .selectFrom('pln_proposal_photo')
    .select(['content_type', 'data'])
    .where('pemda_id', '=', pemdaId)
    .where('proposal_id', '=', id)
    .executeTakeFirst();
}

// ---- public tracking ---------------------------------------------------------------------------------------

/** May anyone see this proposal? Musrenbang always (by code); Pokir once the year's Renja is finalised. */
export async function isPublic(db: Q, r: { kind: ProposalKind; year: number; pemda_id: number }): Promise<boolean> {
  return r.kind === 'musrenbang' || (await renjaFinalised(db, r.pemda_id, r.year));
}

export interface PublicTrack {
  proposal: {
    tracking_code: string;
    kind: ProposalKind;
    year: number;
    title: string;
    problem: string;
    category_code: string | null;
    kecamatan: string;
    kelurahan: string | null;
    address: string;
    volume: string;
    unit: string;
    estimated_cost: string;
    stage: Stage;
    status: ProposalStatus;
    recommended_amount: string | null;
    recommended_volume: string | null;
    priority_score: string | null;
    opd: string | null;
    sub_kegiatan_code: string | null;
    sub_kegiatan_name: string | null;
    feasible: boolean | null;
    feasibility_reason: string;
    dprd_member: string | null;
    has_photo: boolean;
    merged_into: string | null;
    carried_from: string | null;
    carried_to: string | null;
    /** `pagu` is null until the Renja is approved (a draft's figures are not public). */
    renja: { year: number; opd: string; sub_kegiatan_code: string; status: string; pagu: string | null } | null;
  };
  steps: Array<{
    stage: string;
    action: string;
    at: Date;
    amount: string | null;
    volume: string | null;
    reason: string;
    related_code: string | null;
    actor_role: string;
  }>;
  /** The history of the proposal it was carried over from, when any. */
  earlier: PublicTrack | null;
}

export async function publicTrack(db: Q, pemdaId: number, code: string, depth = 0): Promise<PublicTrack | undefined> {
  const r = await findByTrackingCode(db, pemdaId, code);
  if (!r || !(await isPublic(db, r))) return undefined;
  const regionName = async (rid: number | null) =>
    rid ? ((await getRegion(db as Db, pemdaId, rid))?.name ?? null) : null;
  const opd = r.opd_id ? await getOrganisation(db as Db, pemdaId, r.opd_id) : undefined;
  const nom = r.sub_kegiatan_code
    ? ((await getNomenclature(db as Db, pemdaId, r.year, r.sub_kegiatan_code)) ??
      (await getNomenclature(db as Db, pemdaId, r.year - 1, r.sub_kegiatan_code)))
    : undefined;
  const member = r.dprd_member_id
    ? await db
        .selectFrom('pln_dprd_member')
        .select('name')
        .where('pemda_id', '=', pemdaId)
        .where('id', '=', r.dprd_member_id)
        .executeTakeFirst()
    : undefined;
  const codeOf = async (id: number | null) =>
    id
      ? ((
          await db
            .selectFrom('pln_proposal')
            .select('tracking_code')
            .where('pemda_id', '=', pemdaId)
            .where('id', '=', id)
            .executeTakeFirst()
        )?.tracking_code ?? null)
      : null;
  const carriedTo = await db
    .selectFrom('pln_proposal')
    .select('tracking_code')
    .where('pemda_id', '=', pemdaId)
    .where('carried_from_id', '=', r.id)
    .executeTakeFirst();
  let renja: PublicTrack['proposal']['renja'] = null;
  if (r.renja_item_id) {
    const it = await db
      .selectFrom('pln_renja_item as i')
      .innerJoin('pln_renja as j', (jn) => jn.onRef('j.pemda_id', '=', 'i.pemda_id').onRef('j.id', '=', 'i.renja_id'))
      .select(['j.year', 'j.opd_id', 'j.status', 'i.sub_kegiatan_code', 'i.pagu'])
      .where('i.pemda_id', '=', pemdaId)
      .where('i.id', '=', r.renja_item_id)
      .executeTakeFirst();
    if (it)
      renja = {
        year: it.year,
        opd: (await getOrganisation(db as Db, pemdaId, it.opd_id))?.name ?? '',
        sub_kegiatan_code: it.sub_kegiatan_code,
        status: it.status,
        pagu: it.status === 'approved' ? it.pagu : null,
      };
  }
  const steps = (await proposalSteps(db, pemdaId, r.id)).map((s) => ({
    stage: s.stage,
    action: s.action,
    at: s.at,
    amount: s.amount,
    volume: s.volume,
    reason: s.reason,
    related_code: s.related_code,
    actor_role: s.actor_role,
  }));
  const carriedFrom = await codeOf(r.carried_from_id);
  return {
    proposal: {
      tracking_code: r.tracking_code,
      kind: r.kind,
      year: r.year,
      title: r.title,
      problem: r.problem,
      category_code: r.category_code,
      kecamatan: (await regionName(r.kecamatan_id)) ?? '',
      kelurahan: await regionName(r.kelurahan_id),
      address: r.address,
      volume: cleanDecimal(r.volume)!,
      unit: r.unit,
      estimated_cost: r.estimated_cost,
      stage: r.stage,
      status: r.status,
      recommended_amount: r.recommended_amount,
      recommended_volume: cleanDecimal(r.recommended_volume),
      priority_score: r.priority_score,
      opd: opd?.name ?? null,
      sub_kegiatan_code: r.sub_kegiatan_code,
      sub_kegiatan_name: nom?.name ?? null,
      feasible: r.feasible,
      feasibility_reason: r.feasibility_reason,
      dprd_member: member?.name ?? null,
      has_photo: r.has_photo,
      merged_into: await codeOf(r.merged_into_id),
      carried_from: carriedFrom,
      carried_to: carriedTo?.tracking_code ?? null,
      renja,
    },
    steps,
    earlier: carriedFrom && depth < 5 ? ((await publicTrack(db, pemdaId, carriedFrom, depth + 1)) ?? null) : null,
  };
}

/** The public Pokir list of a year, with outcomes: available once the year's Renja is finalised. */
export async function publicPokir(db: Q, pemdaId: number, year: number) {
  if (!(await renjaFinalised(db, pemdaId, year))) return undefined;
  return db
    .selectFrom('pln_proposal as p')
    .innerJoin('pln_dprd_member as m', (j) =>
      j.onRef('m.pemda_id', '=', 'p.pemda_id').onRef('m.id', '=', 'p.dprd_member_id'),
    )
    .select([
      'p.tracking_code',
      'p.title',
      'p.stage',
      'p.status',
      'p.estimated_cost',
      'p.recommended_amount',
      'p.opd_id',
      'p.sub_kegiatan_code',
      'p.renja_item_id',
      'p.kecamatan_id',
      'm.name as member',
      'm.komisi',
      'm.dapil',
      'm.fraksi',
    ])
    .where('p.pemda_id', '=', pemdaId)
    .where('p.kind', '=', 'pokir')
    .where('p.year', '=', year)
    .orderBy('m.name')
    .orderBy('p.id')
    .execute();
}

/** The proposals that became (part of) a Renja item. */
export async function proposalsForRenjaItem(db: Q, pemdaId: number, renjaItemId: number) {
  const rows = await db
    .selectFrom('pln_proposal')
    .select(['id', 'tracking_code', 'kind', 'title'])
    .where('pemda_id', '=', pemdaId)
    .where('renja_item_id', '=', renjaItemId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, trackingCode: r.tracking_code, kind: r.kind, title: r.title }));
}
