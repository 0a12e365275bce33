// Musrenbang and Pokir proposals: the scope of each actor, the priority score, creating and editing.
import { z } from 'zod';
import { type Updateable } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { type UnitOfWork, mutate } from '../../core/audit/audit.ts';
import { forbidden, fieldError, conflict } from '../../core/errors.ts';
import { type Principal } from '../../core/roles.ts';
import { regionScopeOf, can, requirePermission } from '../../core/auth/policy.ts';
import { getRegion, getNomenclature, getOrganisation, opdCarriesBidang } from '../master-data/index.ts';
import { type Q, bidangOf, actorOf, cleanDecimal } from './common.ts';
import { pokirWindowOpen, renjaFinalised } from './annual.service.ts';
import { renstraTrace } from './plans.service.ts';
import { type Weights, priorityScore, loadWeights } from './priority.ts';
import type { Stage, ProposalTable, ProposalKind } from './planning.tables.ts';
import {
  chainOf,
  dprdMemberOf,
  loadProposal,
  newTrackingCode,
  proposalOut,
  type ProposalRow,
} from './proposals.read.service.ts';
import {
  citizenProposalSchema,
  pokirCreateSchema,
  proposalCreateSchema,
  proposalUpdateSchema,
} from './proposals.schema.ts';

// ---- scope of each actor -------------------------------------------------------------------------------

/** Is the proposal inside the region of a region-scoped actor (a kelurahan's, or its kecamatan's)? */
function inRegion(p: Principal, r: { kecamatan_id: number; kelurahan_id: number | null }): boolean {
  const scope = regionScopeOf(p);
  if (!scope) return false;
  return scope.level === 'kelurahan' ? scope.id === r.kelurahan_id : scope.id === r.kecamatan_id;
}

/**
 * May the principal decide on the proposal at its current stage? Throws 403 otherwise. Each stage
 * has its permission (planning.proposal.decide.<stage>, in the manifest) and its scope: the region
 * of a forum, the DPRD komisi partnering the OPD, the OPD of the proposal.
 */
export async function checkStageActor(db: Q, p: Principal, r: ProposalRow) {
  const ok = await (async () => {
    if (r.stage === 'final' || !can(p, `planning.proposal.decide.${r.stage}`)) return false;
    switch (r.stage) {
      case 'kelurahan':
      case 'kecamatan':
        return inRegion(p, r);
      case 'dprd': {
        const m = await dprdMemberOf(db, p.pemdaId, p.userId);
        if (!m) return false;
        const partner = r.opd_id
          ? await db
              .selectFrom('pln_opd_komisi')
              .select('komisi')
              .where('pemda_id', '=', p.pemdaId)
              .where('opd_id', '=', r.opd_id)
              .executeTakeFirst()
          : undefined;
        return !partner || partner.komisi === m.komisi;
      }
      case 'opd':
        return r.opd_id !== null && can(p, 'planning.proposal.decide.opd', { opdId: r.opd_id });
      default:
        return true;
    }
  })();
  if (!ok) throw forbidden('pln.error.not_your_stage');
}

/** Operators enter and edit proposals of their own kelurahan/kecamatan only. */
export function checkRegionActor(p: Principal, kecamatanId: number, kelurahanId: number | null | undefined) {
  const scope = regionScopeOf(p);
  if (!scope) return;
  if (scope.level === 'kelurahan' ? !kelurahanId || kelurahanId !== scope.id : kecamatanId !== scope.id)
    throw forbidden('pln.error.not_your_region');
}

async function checkLocation(db: Q, pemdaId: number, kecamatanId: number, kelurahanId: number | null | undefined) {
  const kec = await getRegion(db as Db, pemdaId, kecamatanId);
  if (!kec || kec.kind !== 'kecamatan') throw fieldError('kecamatan_id', 'pln.error.region_unknown');
  if (kelurahanId) {
    const kel = await getRegion(db as Db, pemdaId, kelurahanId);
    if (!kel || kel.kind === 'kecamatan') throw fieldError('kelurahan_id', 'pln.error.region_unknown');
    if (kel.parentId !== kecamatanId) throw fieldError('kelurahan_id', 'pln.error.kelurahan_not_in_kecamatan');
  }
}

async function categorySuggestion(db: Q, pemdaId: number, code: string | null) {
  if (!code) return { sub: null, opd: null };
  const c = await db
    .selectFrom('pln_category')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('code', '=', code)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!c) throw fieldError('category_code', 'pln.error.category_unknown');
  return { sub: c.sub_kegiatan_code, opd: c.opd_id };
}

/**
 * A sub kegiatan for a proposal of year Y: Musrenbang for Y runs in Y−1, before Y's nomenclature
 * may be published, so the code is checked against Y's nomenclature, else Y−1's.
 */
export async function checkMapping(db: Q, pemdaId: number, year: number, code: string, opdId: number) {
  const nom =
    (await getNomenclature(db as Db, pemdaId, year, code)) ??
    (await getNomenclature(db as Db, pemdaId, year - 1, code));
  if (!nom || nom.level !== 'sub_kegiatan') throw fieldError('sub_kegiatan_code', 'pln.error.code_unknown', { code });
  const org = await getOrganisation(db as Db, pemdaId, opdId);
  if (!org || org.kind === 'unit') throw fieldError('opd_id', 'pln.error.opd_unknown');
  if (!(await opdCarriesBidang(db as Db, pemdaId, opdId, bidangOf(code))))
    throw fieldError('sub_kegiatan_code', 'pln.error.bidang_not_carried');
}

export async function addStep(
  uow: UnitOfWork,
  r: { id: number; stage: Stage | string },
  action: string,
  extra: {
    amount?: bigint | string | null;
    volume?: string | null;
    reason?: string;
    related_id?: number | null;
    stage?: string;
  } = {},
) {
  await uow.trx
    .insertInto('pln_proposal_step')
    .values({
      pemda_id: uow.actor.pemdaId,
      proposal_id: r.id,
      stage: extra.stage ?? r.stage,
      action,
      amount: extra.amount === undefined || extra.amount === null ? null : extra.amount.toString(),
      volume: extra.volume ?? null,
      reason: extra.reason ?? '',
      related_id: extra.related_id ?? null,
      ...actorOf(uow.actor),
    })
    .execute();
}

/** The proposal locked for a change, still at the version the client saw. */
export async function lockProposal(uow: UnitOfWork, id: number, version: number) {
  const before = await loadProposal(uow.trx, uow.actor.pemdaId, id, true);
  if (before.version !== version) throw conflict('error.conflict', { current: proposalOut(before) });
  return before;
}

/** Write a change to a proposal as its next version. */
export async function saveProposal(
  uow: UnitOfWork,
  before: { id: number; version: number },
  set: Updateable<ProposalTable>,
) {
  return uow.trx
    .updateTable('pln_proposal')
    .set({ ...set, version: before.version + 1, updated_at: new Date() })
    .where('pemda_id', '=', uow.actor.pemdaId)
    .where('id', '=', before.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ---- priority -----------------------------------------------------------------------------------------------

async function alignmentOf(
  db: Q,
  pemdaId: number,
  r: { year: number; opd_id: number | null; sub_kegiatan_code: string | null },
): Promise<0 | 1 | 3 | 5> {
  if (!r.opd_id || !r.sub_kegiatan_code) return 0;
  const t = await renstraTrace(db, pemdaId, r.year, r.opd_id, r.sub_kegiatan_code);
  return t.subKegiatanNodeId ? 5 : t.programNodeId ? 3 : 1;
}

export async function scoreOf(db: Q, pemdaId: number, r: ProposalRow, weights: Weights): Promise<string> {
  return priorityScore(
    {
      urgency: r.urgency,
      beneficiaries: r.beneficiaries,
      alignment: await alignmentOf(db, pemdaId, r),
      hasAddress: Boolean(r.address),
      hasCoordinates: r.latitude !== null && r.longitude !== null,
      hasPhoto: r.has_photo,
      amount: BigInt(r.recommended_amount ?? r.estimated_cost),
      carriedOver: r.carried_from_id !== null,
    },
    weights,
  );
}

/** Recompute the score of every scored, still open proposal (after the weights change). */
export async function recomputeScores(uow: UnitOfWork): Promise<number> {
  const pemdaId = uow.actor.pemdaId;
  const weights = await loadWeights(uow.trx, pemdaId);
  const rows = await uow.trx
    .selectFrom('pln_proposal')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('priority_score', 'is not', null)
    .where('status', 'in', ['pending', 'accepted', 'backlog'])
    .execute();
  for (const r of rows) {
    const s = await scoreOf(uow.trx, pemdaId, r, weights);
    if (cleanDecimal(s) !== cleanDecimal(r.priority_score)) {
      await uow.trx
        .updateTable('pln_proposal')
        .set({ priority_score: s })
        .where('pemda_id', '=', pemdaId)
        .where('id', '=', r.id)
        .execute();
    }
  }
  return rows.length;
}

// ---- creating and editing ----------------------------------------------------------------------------

export async function musrenbangOpen(db: Q, pemdaId: number, year: number): Promise<boolean> {
  const c = await db
    .selectFrom('pln_cycle')
    .select('musrenbang_open')
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .executeTakeFirst();
  return Boolean(c?.musrenbang_open);
}

/** The fiscal year the public form takes proposals for: the latest year whose Musrenbang is open. */
export async function openMusrenbangYear(db: Q, pemdaId: number): Promise<number | null> {
  const c = await db
    .selectFrom('pln_cycle')
    .select('year')
    .where('pemda_id', '=', pemdaId)
    .where('musrenbang_open', '=', true)
    .orderBy('year', 'desc')
    .executeTakeFirst();
  return c?.year ?? null;
}

interface NewProposal {
  kind: ProposalKind;
  year: number;
  source: 'operator' | 'citizen' | 'dprd';
  stage: Stage;
  fields: z.infer<typeof proposalCreateSchema>;
  dprdMemberId?: number | null;
  submitter?: { name: string; contact: string };
}

async function insertProposal(db: Db, p: Principal, n: NewProposal) {
  const f = n.fields;
  await checkLocation(db, p.pemdaId, f.kecamatan_id, f.kelurahan_id);
  const sug = await categorySuggestion(db, p.pemdaId, f.category_code ?? null);
  return mutate(db, p, async (uow) => {
    const row = await uow.trx
      .insertInto('pln_proposal')
      .values({
        pemda_id: p.pemdaId,
        tracking_code: newTrackingCode(n.kind, n.year),
        kind: n.kind,
        year: n.year,
        title: f.title,
        problem: f.problem,
        category_code: f.category_code ?? null,
        kecamatan_id: f.kecamatan_id,
        kelurahan_id: f.kelurahan_id ?? null,
        address: f.address ?? '',
        latitude: f.latitude ?? null,
        longitude: f.longitude ?? null,
        volume: f.volume,
        unit: f.unit,
        estimated_cost: f.estimated_cost.toString(),
        beneficiaries: f.beneficiaries ?? null,
        source: n.source,
        submitter_name: n.submitter?.name ?? '',
        submitter_contact: n.submitter?.contact ?? '',
        created_by: p.userId || null,
        dprd_member_id: n.dprdMemberId ?? null,
        suggested_sub_kegiatan_code: sug.sub,
        suggested_opd_id: sug.opd,
        sub_kegiatan_code: sug.sub,
        opd_id: sug.opd,
        stage: n.stage,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await addStep(uow, row, 'submitted', { amount: f.estimated_cost, volume: f.volume });
    const { submitter_contact: _c, ...after } = row;
    uow.audit({ action: 'create', entity: 'proposal', entityId: row.id, after });
    return row;
  });
}

/** An operator of a kelurahan/kecamatan (or Bappeda) enters a Musrenbang proposal. */
export async function createProposal(db: Db, p: Principal, input: z.input<typeof proposalCreateSchema>) {
  const v = proposalCreateSchema.parse(input);
  checkRegionActor(p, v.kecamatan_id, v.kelurahan_id);
  if (!(await musrenbangOpen(db, p.pemdaId, v.year)))
    throw conflict('pln.error.musrenbang_closed', undefined, { year: v.year });
  return insertProposal(db, p, { kind: 'musrenbang', year: v.year, source: 'operator', stage: 'kelurahan', fields: v });
}

/** A citizen's proposal from the public form (the caller rate-limits and passes a system principal). */
export async function createCitizenProposal(db: Db, citizen: Principal, input: z.input<typeof citizenProposalSchema>) {
  requirePermission(citizen, 'planning.proposal.citizen');
  const v = citizenProposalSchema.parse(input);
  const year = await openMusrenbangYear(db, citizen.pemdaId);
  if (!year) throw conflict('pln.error.musrenbang_closed', undefined, { year: '' });
  const kel = await getRegion(db, citizen.pemdaId, v.kelurahan_id);
  if (!kel || kel.kind === 'kecamatan' || !kel.parentId) throw fieldError('kelurahan_id', 'pln.error.region_unknown');
  return insertProposal(db, citizen, {
    kind: 'musrenbang',
    year,
    source: 'citizen',
    stage: 'kelurahan',
    fields: { ...v, kecamatan_id: v.kecamatan_id ?? kel.parentId, year },
    submitter: { name: v.submitter_name, contact: v.submitter_contact },
  });
}

/** Is the Pokir entry of the year open now: inside its window and before the Renja is finalised? */
export async function pokirOpen(db: Q, pemdaId: number, year: number): Promise<boolean> {
  return (await pokirWindowOpen(db, pemdaId, year)) && !(await renjaFinalised(db, pemdaId, year));
}

/** A DPRD member enters a Pokir from the reses of their constituency, inside the year's window. */
export async function createPokir(db: Db, p: Principal, input: z.input<typeof pokirCreateSchema>) {
  const v = pokirCreateSchema.parse(input);
  const member = await dprdMemberOf(db, p.pemdaId, p.userId);
  if (!can(p, 'planning.pokir.enter') || !member) throw forbidden('pln.error.not_dprd_member');
  if (!(await pokirOpen(db, p.pemdaId, v.year)))
    throw conflict('pln.error.pokir_window_closed', undefined, { year: v.year });
  return insertProposal(db, p, {
    kind: 'pokir',
    year: v.year,
    source: 'dprd',
    stage: 'bappeda',
    fields: v,
    dprdMemberId: member.id,
  });
}

/** Who may edit a proposal's content: while it waits at its first stage, whoever entered it (scope). */
export async function checkEditor(db: Q, p: Principal, r: ProposalRow) {
  const first = chainOf(r.kind)[0];
  if (r.status !== 'pending' || r.stage !== first) throw conflict('pln.error.not_editable');
  if (r.kind === 'pokir') {
    if (can(p, 'planning.proposal.manage')) return;
    const m = await dprdMemberOf(db, p.pemdaId, p.userId);
    if (!can(p, 'planning.pokir.enter') || !m || m.id !== r.dprd_member_id)
      throw forbidden('pln.error.not_your_proposal');
    if (!(await pokirOpen(db, p.pemdaId, r.year)))
      throw conflict('pln.error.pokir_window_closed', undefined, { year: r.year });
    return;
  }
  if (can(p, 'planning.proposal.manage')) return;
  if (!can(p, 'planning.proposal.enter') || !regionScopeOf(p)) throw forbidden();
  checkRegionActor(p, r.kecamatan_id, r.kelurahan_id);
}

export async function updateProposal(db: Db, p: Principal, id: number, input: z.input<typeof proposalUpdateSchema>) {
  const v = proposalUpdateSchema.parse(input);
  const current = await loadProposal(db, p.pemdaId, id);
  await checkEditor(db, p, current);
  const kec = v.kecamatan_id ?? current.kecamatan_id;
  const kel = v.kelurahan_id === undefined ? current.kelurahan_id : v.kelurahan_id;
  if (current.kind === 'musrenbang') checkRegionActor(p, kec, kel);
  await checkLocation(db, p.pemdaId, kec, kel);
  const sug = v.category_code !== undefined ? await categorySuggestion(db, p.pemdaId, v.category_code) : null;
  return mutate(db, p, async (uow) => {
    const before = await lockProposal(uow, id, v.version);
    const row = await saveProposal(uow, before, {
      title: v.title ?? before.title,
      problem: v.problem ?? before.problem,
      category_code: v.category_code === undefined ? before.category_code : v.category_code,
      kecamatan_id: kec,
      kelurahan_id: kel,
      address: v.address ?? before.address,
      latitude: v.latitude === undefined ? before.latitude : v.latitude,
      longitude: v.longitude === undefined ? before.longitude : v.longitude,
      volume: v.volume ?? before.volume,
      unit: v.unit ?? before.unit,
      estimated_cost: v.estimated_cost === undefined ? before.estimated_cost : v.estimated_cost.toString(),
      beneficiaries: v.beneficiaries === undefined ? before.beneficiaries : v.beneficiaries,
      ...(sug && !before.mapping_confirmed
        ? {
            suggested_sub_kegiatan_code: sug.sub,
            suggested_opd_id: sug.opd,
            sub_kegiatan_code: sug.sub,
            opd_id: sug.opd,
          }
        : {}),
    });
    await addStep(uow, row, 'edited');
    uow.audit({
      action: 'update',
      entity: 'proposal',
      entityId: id,
      opdId: row.opd_id,
      before: proposalOut(before),
      after: proposalOut(row),
    });
    return row;
  });
}
