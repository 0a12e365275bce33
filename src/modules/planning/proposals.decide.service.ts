// Musrenbang and Pokir proposals: mapping, the decision at each stage, into the Renja, the backlog.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import { type Updateable, sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { type UnitOfWork, mutate } from '../../core/audit/audit.ts';
import { conflict, forbidden, fieldError } from '../../core/errors.ts';
import { type Principal } from '../../core/roles.ts';
import { can, regionScopeOf } from '../../core/auth/policy.ts';
import { getNomenclature } from '../master-data/index.ts';
import { type Q, cleanDecimal, versionIn } from './common.ts';
import { renjaOf, lockDraftRenja } from './annual.service.ts';
import { renstraTrace } from './plans.service.ts';
import { loadWeights } from './priority.ts';
import type { ProposalTable } from './planning.tables.ts';
import {
  chainOf,
  dprdMemberOf,
  findByTrackingCode,
  loadProposal,
  MAPPING_STAGE,
  newTrackingCode,
  nextStage,
  proposalOut,
  type ProposalRow,
} from './proposals.read.service.ts';
import {
  addStep,
  checkMapping,
  checkRegionActor,
  checkStageActor,
  lockProposal,
  musrenbangOpen,
  saveProposal,
  scoreOf,
} from './proposals.entry.service.ts';
import { decisionSchema, mappingSchema } from './proposals.schema.ts';

// ---- mapping -------------------------------------------------------------------------------------------

/** Who may confirm the mapping: Bappeda until the proposal is in a Renja; the forum operators and the Pokir's member while it is still with them. */
async function checkMapper(db: Q, p: Principal, r: ProposalRow) {
  if (!['pending', 'accepted'].includes(r.status) || r.renja_item_id) throw conflict('pln.error.not_editable');
  if (can(p, 'planning.proposal.manage')) return;
  const scope = regionScopeOf(p);
  if (
    r.kind === 'musrenbang' &&
    scope &&
    can(p, 'planning.proposal.map') &&
    (r.stage === 'kelurahan' || r.stage === 'kecamatan')
  ) {
    if (scope.level === 'kelurahan' && r.stage !== 'kelurahan') throw forbidden('pln.error.not_your_stage');
    return checkRegionActor(p, r.kecamatan_id, r.kelurahan_id);
  }
  if (r.kind === 'pokir' && can(p, 'planning.pokir.enter') && r.stage === 'bappeda') {
    const m = await dprdMemberOf(db, p.pemdaId, p.userId);
    if (m && m.id === r.dprd_member_id) return;
  }
  throw forbidden('pln.error.not_your_stage');
}

async function applyMapping(uow: UnitOfWork, r: ProposalRow, code: string, opdId: number) {
  await uow.trx
    .updateTable('pln_proposal')
    .set({ sub_kegiatan_code: code, opd_id: opdId, mapping_confirmed: true })
    .where('pemda_id', '=', uow.actor.pemdaId)
    .where('id', '=', r.id)
    .execute();
  await addStep(uow, r, 'mapped', { reason: code });
}

export async function mapProposal(db: Db, p: Principal, id: number, input: z.input<typeof mappingSchema>) {
  const v = mappingSchema.parse(input);
  const current = await loadProposal(db, p.pemdaId, id);
  await checkMapper(db, p, current);
  await checkMapping(db, p.pemdaId, current.year, v.sub_kegiatan_code, v.opd_id);
  return mutate(db, p, async (uow) => {
    const before = await lockProposal(uow, id, v.version);
    await applyMapping(uow, before, v.sub_kegiatan_code, v.opd_id);
    const row = await saveProposal(uow, before, {});
    uow.audit({
      action: 'map',
      entity: 'proposal',
      entityId: id,
      opdId: v.opd_id,
      before: { sub_kegiatan_code: before.sub_kegiatan_code, opd_id: before.opd_id },
      after: { sub_kegiatan_code: v.sub_kegiatan_code, opd_id: v.opd_id },
    });
    return row;
  });
}

// ---- deciding -------------------------------------------------------------------------------------------

export async function decide(db: Db, p: Principal, id: number, input: z.input<typeof decisionSchema>) {
  const v = decisionSchema.parse(input);
  const current = await loadProposal(db, p.pemdaId, id);
  const deferAccepted = v.decision === 'defer' && current.status === 'accepted' && !current.renja_item_id;
  if (deferAccepted) {
    if (!can(p, 'planning.proposal.defer')) throw forbidden('pln.error.not_your_stage');
  } else {
    if (current.status !== 'pending') throw conflict('pln.error.not_pending', undefined, { status: current.status });
    await checkStageActor(db, p, current);
  }
  // a rejection and a deferral give their reason; the OPD gives the reason of its feasibility judgement either way
  if (
    (v.decision === 'reject' || v.decision === 'defer' || (v.decision === 'accept' && current.stage === 'opd')) &&
    !v.reason
  )
    throw fieldError('reason', 'pln.error.reason_required');
  if (v.decision === 'defer' && !deferAccepted && current.stage !== 'tapd') throw conflict('pln.error.defer_tapd_only');
  const mappingGiven = v.sub_kegiatan_code !== undefined || v.opd_id !== undefined;
  if (mappingGiven) {
    if (!v.sub_kegiatan_code) throw fieldError('sub_kegiatan_code', 'field.required');
    if (!v.opd_id) throw fieldError('opd_id', 'field.required');
    if (current.stage !== MAPPING_STAGE[current.kind] && current.stage !== chainOf(current.kind)[0])
      throw fieldError('sub_kegiatan_code', 'pln.error.mapping_stage');
    await checkMapping(db, p.pemdaId, current.year, v.sub_kegiatan_code, v.opd_id);
  }
  let target: ProposalRow | undefined;
  if (v.decision === 'merge') {
    if (!v.merge_into) throw fieldError('merge_into', 'field.required');
    target = /^\d+$/.test(v.merge_into)
      ? await loadProposal(db, p.pemdaId, Number(v.merge_into)).catch(() => undefined)
      : await findByTrackingCode(db, p.pemdaId, v.merge_into);
    if (
      !target ||
      target.id === current.id ||
      target.kind !== current.kind ||
      target.year !== current.year ||
      !['pending', 'accepted'].includes(target.status)
    ) {
      throw fieldError('merge_into', 'pln.error.merge_target');
    }
    const sameScope =
      current.stage === 'kelurahan'
        ? target.kelurahan_id === current.kelurahan_id
        : current.stage === 'kecamatan'
          ? target.kecamatan_id === current.kecamatan_id
          : current.stage === 'opd'
            ? target.opd_id === current.opd_id
            : true;
    if (!sameScope) throw fieldError('merge_into', 'pln.error.merge_scope');
  }
  const weights = await loadWeights(db, p.pemdaId);

  return mutate(db, p, async (uow) => {
    const before = await lockProposal(uow, id, v.version);
    if (before.status !== current.status || before.stage !== current.stage)
      throw conflict('error.conflict', { current: proposalOut(before) });
    if (mappingGiven) await applyMapping(uow, before, v.sub_kegiatan_code!, v.opd_id!);
    const mapped = mappingGiven
      ? { ...before, sub_kegiatan_code: v.sub_kegiatan_code!, opd_id: v.opd_id!, mapping_confirmed: true }
      : before;
    const stage = before.stage;
    let set: Updateable<ProposalTable> = {};
    switch (v.decision) {
      case 'accept': {
        if (
          stage === MAPPING_STAGE[before.kind] &&
          !(mapped.mapping_confirmed && mapped.opd_id && mapped.sub_kegiatan_code)
        )
          throw fieldError('sub_kegiatan_code', 'pln.error.mapping_required');
        const amount = BigInt(v.amount ?? before.recommended_amount ?? before.estimated_cost);
        const volume = v.volume ?? cleanDecimal(before.recommended_volume ?? before.volume)!;
        const next = nextStage(before.kind, stage);
        const urgency = v.urgency ?? before.urgency;
        const withNew = { ...mapped, recommended_amount: amount.toString(), urgency };
        set = {
          stage: next,
          status: next === 'final' ? 'accepted' : 'pending',
          recommended_amount: amount.toString(),
          recommended_volume: volume,
          urgency,
          priority_score: await scoreOf(uow.trx, p.pemdaId, withNew, weights),
          ...(stage === 'opd' ? { feasible: true, feasibility_reason: v.reason ?? '' } : {}),
        };
        await addStep(uow, before, 'accepted', { amount, volume, reason: v.reason });
        break;
      }
      case 'reject':
        set = { status: 'rejected', ...(stage === 'opd' ? { feasible: false, feasibility_reason: v.reason } : {}) };
        await addStep(uow, before, 'rejected', { reason: v.reason });
        break;
      case 'merge':
        set = { status: 'merged', merged_into_id: target!.id };
        await addStep(uow, before, 'merged', { reason: v.reason, related_id: target!.id });
        await addStep(uow, target!, 'absorbed', { reason: v.reason, related_id: before.id });
        break;
      case 'defer':
        set = { status: 'backlog' };
        await addStep(uow, before, 'deferred', { reason: v.reason });
        break;
    }
    const row = await saveProposal(uow, before, set);
    uow.audit({
      action: `decision_${v.decision}`,
      entity: 'proposal',
      entityId: id,
      opdId: row.opd_id,
      before: proposalOut(before),
      after: proposalOut(row),
    });
    return row;
  });
}

// ---- into the Renja ---------------------------------------------------------------------------------------

/**
 * An accepted proposal enters its OPD's draft Renja of the year as (part of) the item of its sub
 * kegiatan: the item is created if needed, its pagu grows by the recommended amount (and its
 * target by the recommended volume when the units agree), and the proposal links to it.
 */
export async function enterRenja(db: Db, p: Principal, id: number, input: { version: number }) {
  const version = versionIn.parse(input.version);
  const r = await loadProposal(db, p.pemdaId, id);
  if (r.status !== 'accepted' || r.stage !== 'final') throw conflict('pln.error.not_accepted');
  if (r.renja_item_id) throw conflict('pln.error.already_in_renja');
  if (!r.opd_id || !r.sub_kegiatan_code) throw conflict('pln.error.mapping_required');
  // Bappeda for any OPD; an OPD's own operator or head for its own (permission planning.proposal.renja).
  if (!can(p, 'planning.proposal.renja', { opdId: r.opd_id })) throw forbidden('pln.error.not_your_stage');
  const renja = await renjaOf(db, p.pemdaId, r.year, r.opd_id);
  if (!renja) throw conflict('pln.error.no_renja', undefined, { year: r.year });
  const nom = await getNomenclature(db, p.pemdaId, r.year, r.sub_kegiatan_code);
  if (!nom) throw conflict('pln.error.code_unknown', undefined, { code: r.sub_kegiatan_code });
  const trace = await renstraTrace(db, p.pemdaId, r.year, r.opd_id, r.sub_kegiatan_code);
  return mutate(db, p, async (uow) => {
    await lockDraftRenja(uow.trx, p, renja.id);
    const before = await lockProposal(uow, id, version);
    if (before.renja_item_id) throw conflict('pln.error.already_in_renja');
    const amount = BigInt(before.recommended_amount ?? before.estimated_cost);
    const volume = cleanDecimal(before.recommended_volume ?? before.volume)!;
    const source = before.kind;
    let item = await uow.trx
      .selectFrom('pln_renja_item')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('renja_id', '=', renja.id)
      .where('sub_kegiatan_code', '=', before.sub_kegiatan_code!)
      .forUpdate()
      .executeTakeFirst();
    if (!item) {
      item = await uow.trx
        .insertInto('pln_renja_item')
        .values({
          pemda_id: p.pemdaId,
          renja_id: renja.id,
          sub_kegiatan_code: before.sub_kegiatan_code!,
          renstra_node_id: trace.subKegiatanNodeId,
          target: volume,
          unit: before.unit,
          region_id: before.kelurahan_id ?? before.kecamatan_id,
          location: before.address,
          pagu: amount.toString(),
          source,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      uow.audit({
        action: 'create',
        entity: 'renja_item',
        entityId: item.id,
        opdId: renja.opd_id,
        after: { ...item, from_proposal: before.tracking_code },
      });
    } else {
      const sameUnit = item.unit !== null && item.unit.toLowerCase() === before.unit.toLowerCase();
      const updated = await uow.trx
        .updateTable('pln_renja_item')
        .set((eb) => ({
          pagu: eb('pagu', '+', amount.toString()),
          ...(sameUnit && item!.target !== null ? { target: sql<string>`target + ${volume}::numeric` } : {}),
          version: item!.version + 1,
          updated_at: new Date(),
        }))
        .where('pemda_id', '=', p.pemdaId)
        .where('id', '=', item.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      uow.audit({
        action: 'update',
        entity: 'renja_item',
        entityId: item.id,
        opdId: renja.opd_id,
        before: item,
        after: { ...updated, from_proposal: before.tracking_code },
      });
      item = updated;
    }
    const row = await saveProposal(uow, before, { renja_item_id: item.id });
    await addStep(uow, { id, stage: 'final' }, 'into_renja', { amount, volume, reason: before.sub_kegiatan_code! });
    uow.audit({
      action: 'into_renja',
      entity: 'proposal',
      entityId: id,
      opdId: renja.opd_id,
      before: { renja_item_id: null },
      after: { renja_item_id: item.id, renja_id: renja.id },
    });
    return { proposal: row, item: { ...item, target: cleanDecimal(item.target) } };
  });
}

// ---- backlog: carried into a later year's Musrenbang ----------------------------------------------------

export const carryOverSchema = z.object({ version: versionIn, year: intIn(z.number().int().min(2000).max(2100)) });

export async function carryOver(db: Db, p: Principal, id: number, input: z.input<typeof carryOverSchema>) {
  const v = carryOverSchema.parse(input);
  const r = await loadProposal(db, p.pemdaId, id);
  if (r.kind !== 'musrenbang' || r.status !== 'backlog') throw conflict('pln.error.not_backlog');
  if (v.year <= r.year) throw fieldError('year', 'pln.error.carry_year');
  if (!can(p, 'planning.proposal.manage')) {
    if (!can(p, 'planning.proposal.enter') || !regionScopeOf(p)) throw forbidden();
    checkRegionActor(p, r.kecamatan_id, r.kelurahan_id);
  }
  if (!(await musrenbangOpen(db, p.pemdaId, v.year)))
    throw conflict('pln.error.musrenbang_closed', undefined, { year: v.year });
  return mutate(db, p, async (uow) => {
    const before = await lockProposal(uow, id, v.version);
    const {
      id: _id,
      tracking_code: _t,
      year: _y,
      stage: _s,
      status: _st,
      version: _v,
      created_at: _c,
      updated_at: _u,
      merged_into_id: _m,
      renja_item_id: _r,
      carried_from_id: _cf,
      priority_score: _p,
      feasible: _f,
      feasibility_reason: _fr,
      has_photo: _hp,
      ...rest
    } = before;
    const copy = await uow.trx
      .insertInto('pln_proposal')
      .values({
        ...rest,
        tracking_code: newTrackingCode('musrenbang', v.year),
        year: v.year,
        stage: 'kelurahan',
        status: 'pending',
        source: 'carry_over',
        carried_from_id: before.id,
        created_by: p.userId || null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const photo = await uow.trx
      .selectFrom('pln_proposal_photo')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('proposal_id', '=', before.id)
      .executeTakeFirst();
    if (photo) {
      await uow.trx
        .insertInto('pln_proposal_photo')
        .values({ ...photo, proposal_id: copy.id })
        .execute();
      await uow.trx
        .updateTable('pln_proposal')
        .set({ has_photo: true })
        .where('pemda_id', '=', p.pemdaId)
        .where('id', '=', copy.id)
        .execute();
    }
    await uow.trx
      .updateTable('pln_proposal')
      .set({ status: 'carried', version: before.version + 1, updated_at: new Date() })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .execute();
    await addStep(uow, before, 'carried_over', { related_id: copy.id, reason: String(v.year) });
    await addStep(uow, copy, 'carried_from', {
      related_id: before.id,
      reason: String(before.year),
      amount: before.recommended_amount,
      volume: cleanDecimal(before.recommended_volume),
    });
    uow.audit({
      action: 'carry_over',
      entity: 'proposal',
      entityId: id,
      opdId: before.opd_id,
      before: { status: before.status },
      after: { status: 'carried', new_proposal: copy.tracking_code },
    });
    return copy;
  });
}
