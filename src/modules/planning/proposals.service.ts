// e-Musrenbang and DPRD Pokir: proposals, their mapping to a sub kegiatan and the responsible
// OPD, the deliberation chain with a decision at each step, the priority score, the way into the
// Renja, the backlog of accepted but unfunded proposals, and the public tracking by code.
//
// Musrenbang chain: kelurahan/desa forum → kecamatan forum → DPRD partner commission → OPD → TAPD.
// Pokir chain:      Bappeda → OPD.
// At each step the actor of that step accepts (recommended amount and volume), merges into another
// proposal, or rejects with a reason; TAPD (or Bappeda for an accepted one) may defer to the backlog.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sql, type Updateable } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { mutate, type UnitOfWork } from '../../core/audit/audit.ts';
import { conflict, fieldError, forbidden, notFound } from '../../core/errors.ts';
import { isOpdScoped, type Principal } from '../../core/roles.ts';
import { getNomenclature, getOrganisation, getRegion, opdCarriesBidang } from '../master-data/index.ts';
import {
  actorOf,
  bidangOf,
  cleanDecimal,
  decimalIn,
  moneyIn,
  optText,
  subKegiatanCode,
  textIn,
  versionIn,
  type Q,
} from './common.ts';
import { lockDraftRenja, pokirWindowOpen, renjaFinalised, renjaOf } from './annual.service.ts';
import { renstraTrace } from './plans.service.ts';
import { loadWeights, priorityScore, type Weights } from './priority.ts';
import type { ProposalKind, ProposalStatus, ProposalTable, Stage } from './planning.tables.ts';

export const MUSRENBANG_CHAIN: Stage[] = ['kelurahan', 'kecamatan', 'dprd', 'opd', 'tapd'];
export const POKIR_CHAIN: Stage[] = ['bappeda', 'opd'];

export function chainOf(kind: ProposalKind): Stage[] {
  return kind === 'musrenbang' ? MUSRENBANG_CHAIN : POKIR_CHAIN;
}

export function nextStage(kind: ProposalKind, stage: Stage): Stage {
  const chain = chainOf(kind);
  const i = chain.indexOf(stage);
  return i < 0 || i === chain.length - 1 ? 'final' : chain[i + 1]!;
}

/** The stage at which a proposal's mapping (sub kegiatan + OPD) must be confirmed before moving on. */
const MAPPING_STAGE: Record<ProposalKind, Stage> = { musrenbang: 'kecamatan', pokir: 'bappeda' };

// ---- tracking codes ---------------------------------------------------------------------------------

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

export function newTrackingCode(kind: ProposalKind, year: number): string {
  const bytes = randomBytes(8);
  let s = '';
  for (const b of bytes) s += ALPHABET[b & 31];
  return `${kind === 'musrenbang' ? 'MR' : 'PK'}${String(year).slice(2)}-${s.slice(0, 4)}-${s.slice(4)}`;
}

export function normaliseTrackingCode(input: string): string {
  return input.trim().toUpperCase().replace(/\s+/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

// ---- input schemas ---------------------------------------------------------------------------------

const coord = (min: number, max: number) =>
  z.union([z.string().max(20), z.number()]).transform((v, ctx) => {
    const s = String(v).trim().replace(',', '.');
    if (s === '') return null;
    if (!/^-?\d{1,3}(\.\d{1,6})?$/.test(s) || Number(s) < min || Number(s) > max) {
      ctx.addIssue({ code: 'custom', message: 'pln.error.coordinate' });
      return z.NEVER;
    }
    return s;
  });

const proposalFields = {
  title: textIn(300),
  problem: textIn(4000),
  category_code: z
    .string()
    .trim()
    .max(40)
    .nullish()
    .transform((v) => v || null),
  kecamatan_id: z.coerce.number().int().positive(),
  kelurahan_id: z.coerce.number().int().positive().nullish(),
  address: optText(500),
  latitude: coord(-90, 90).nullish(),
  longitude: coord(-180, 180).nullish(),
  volume: decimalIn,
  unit: textIn(60),
  estimated_cost: moneyIn,
  beneficiaries: z.coerce.number().int().min(0).max(10_000_000).nullish(),
};

export const proposalCreateSchema = z.object({ year: z.coerce.number().int().min(2000).max(2100), ...proposalFields });
export const citizenProposalSchema = z.object({
  ...proposalFields,
  /** Optional: derived from the kelurahan/desa. */
  kecamatan_id: z.coerce.number().int().positive().optional(),
  kelurahan_id: z.coerce.number().int().positive(),
  submitter_name: textIn(200),
  submitter_contact: textIn(200),
});
export const pokirCreateSchema = proposalCreateSchema;
export const proposalUpdateSchema = z.object({
  version: versionIn,
  title: textIn(300).optional(),
  problem: textIn(4000).optional(),
  category_code: z
    .string()
    .trim()
    .max(40)
    .nullish()
    .transform((v) => (v === undefined ? undefined : v || null)),
  kecamatan_id: z.coerce.number().int().positive().optional(),
  kelurahan_id: z.coerce.number().int().positive().nullish(),
  address: optText(500),
  latitude: coord(-90, 90).nullish(),
  longitude: coord(-180, 180).nullish(),
  volume: decimalIn.optional(),
  unit: textIn(60).optional(),
  estimated_cost: moneyIn.optional(),
  beneficiaries: z.coerce.number().int().min(0).max(10_000_000).nullish(),
});

export const mappingSchema = z.object({
  version: versionIn,
  sub_kegiatan_code: subKegiatanCode,
  opd_id: z.coerce.number().int().positive(),
});

export const decisionSchema = z.object({
  version: versionIn,
  decision: z.enum(['accept', 'reject', 'merge', 'defer']),
  amount: moneyIn.optional(),
  volume: decimalIn.optional(),
  urgency: z.coerce.number().int().min(1).max(5).optional(),
  reason: optText(2000),
  merge_into: z.string().trim().max(40).optional(),
  sub_kegiatan_code: subKegiatanCode.optional(),
  opd_id: z.coerce.number().int().positive().optional(),
});

// ---- reading ------------------------------------------------------------------------------------------

export type ProposalRow = Awaited<ReturnType<typeof loadProposal>>;

export async function loadProposal(db: Q, pemdaId: number, id: number, forUpdate = false) {
  let q = db.selectFrom('pln_proposal').selectAll().where('pemda_id', '=', pemdaId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) throw notFound();
  return r;
}

export async function findByTrackingCode(db: Q, pemdaId: number, code: string) {
  return db
    .selectFrom('pln_proposal')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('tracking_code', '=', normaliseTrackingCode(code))
    .executeTakeFirst();
}

export async function proposalSteps(db: Q, pemdaId: number, proposalId: number) {
  const rows = await db
    .selectFrom('pln_proposal_step as s')
    .leftJoin('pln_proposal as r', (j) => j.onRef('r.pemda_id', '=', 's.pemda_id').onRef('r.id', '=', 's.related_id'))
    .selectAll('s')
    .select('r.tracking_code as related_code')
    .where('s.pemda_id', '=', pemdaId)
    .where('s.proposal_id', '=', proposalId)
    .orderBy('s.at')
    .orderBy('s.id')
    .execute();
  return rows.map((s) => ({ ...s, volume: cleanDecimal(s.volume) }));
}

export function proposalOut(r: ProposalRow) {
  return {
    ...r,
    volume: cleanDecimal(r.volume)!,
    recommended_volume: cleanDecimal(r.recommended_volume),
    latitude: cleanDecimal(r.latitude),
    longitude: cleanDecimal(r.longitude),
  };
}

export async function dprdMemberOf(db: Q, pemdaId: number, userId: number) {
  if (!userId) return undefined;
  return db
    .selectFrom('pln_dprd_member')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('user_id', '=', userId)
    .where('active', '=', true)
    .executeTakeFirst();
}

/** Who may see which proposals: Pokir only DPRD, Bappeda, TAPD, Inspektorat, admin (all) and the OPD they are mapped to. */
function visibility(p: Principal): {
  pokir: 'all' | 'opd' | 'none';
  region: { col: 'kelurahan_id' | 'kecamatan_id'; id: number } | null;
} {
  const pokir = ['dprd', 'bappeda', 'tapd', 'inspektorat', 'admin'].includes(p.role)
    ? 'all'
    : isOpdScoped(p.role)
      ? 'opd'
      : 'none';
  const region =
    p.role === 'kelurahan' && p.regionId
      ? { col: 'kelurahan_id' as const, id: p.regionId }
      : p.role === 'kecamatan' && p.regionId
        ? { col: 'kecamatan_id' as const, id: p.regionId }
        : null;
  return { pokir, region };
}

export function canSee(
  p: Principal,
  r: { kind: ProposalKind; opd_id: number | null; kelurahan_id: number | null; kecamatan_id: number },
): boolean {
  const v = visibility(p);
  if (r.kind === 'pokir') return v.pokir === 'all' || (v.pokir === 'opd' && r.opd_id === p.opdId);
  if (v.region) return r[v.region.col] === v.region.id;
  return true;
}

export const listQuerySchema = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  kind: z.enum(['musrenbang', 'pokir']).optional(),
  stage: z.enum(['kelurahan', 'kecamatan', 'dprd', 'bappeda', 'opd', 'tapd', 'final']).optional(),
  status: z.enum(['pending', 'accepted', 'rejected', 'merged', 'backlog', 'carried']).optional(),
  opd_id: z.coerce.number().int().positive().optional(),
  kecamatan_id: z.coerce.number().int().positive().optional(),
  kelurahan_id: z.coerce.number().int().positive().optional(),
  dprd_member_id: z.coerce.number().int().positive().optional(),
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

/** Proposals the principal may see, highest priority first, with their rank among those listed at the same stage. */
export async function listProposals(db: Q, p: Principal, f: ListQuery) {
  const v = visibility(p);
  let q = db.selectFrom('pln_proposal').where('pemda_id', '=', p.pemdaId);
  if (v.pokir === 'none') q = q.where('kind', '=', 'musrenbang');
  if (v.pokir === 'opd') q = q.where((eb) => eb.or([eb('kind', '=', 'musrenbang'), eb('opd_id', '=', p.opdId)]));
  if (v.region) q = q.where(v.region.col, '=', v.region.id);
  if (f.year) q = q.where('year', '=', f.year);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.stage) q = q.where('stage', '=', f.stage);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.opd_id) q = q.where('opd_id', '=', f.opd_id);
  if (f.kecamatan_id) q = q.where('kecamatan_id', '=', f.kecamatan_id);
  if (f.kelurahan_id) q = q.where('kelurahan_id', '=', f.kelurahan_id);
  if (f.dprd_member_id) q = q.where('dprd_member_id', '=', f.dprd_member_id);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('title', 'ilike', like), eb('tracking_code', 'ilike', like)]));
  }
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .select(
        sql<string>`rank() over (partition by year, kind, stage order by priority_score desc nulls last)`.as('rank'),
      )
      .orderBy(sql`priority_score desc nulls last`)
      .orderBy('id')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map((r) => ({ ...proposalOut(r), rank: Number(r.rank) })), total: Number(count.n) };
}

/** Accepted proposals deferred for lack of funds in years before `year`, not yet carried over. */
export async function listBacklog(db: Q, p: Principal, year: number) {
  const v = visibility(p);
  let q = db
    .selectFrom('pln_proposal')
    .selectAll()
    .where('pemda_id', '=', p.pemdaId)
    .where('status', '=', 'backlog')
    .where('year', '<', year);
  if (v.pokir !== 'all') q = q.where('kind', '=', 'musrenbang');
  if (v.region) q = q.where(v.region.col, '=', v.region.id);
  return (
    await q
      .orderBy(sql`priority_score desc nulls last`)
      .orderBy('id')
      .execute()
  ).map(proposalOut);
}

// ---- scope of each actor -------------------------------------------------------------------------------

/** May the principal decide on the proposal at its current stage? Throws 403 otherwise. */
async function checkStageActor(db: Q, p: Principal, r: ProposalRow) {
  const ok = await (async () => {
    switch (r.stage) {
      case 'kelurahan':
        return (
          (p.role === 'kelurahan' && p.regionId === r.kelurahan_id) ||
          (p.role === 'kecamatan' && p.regionId === r.kecamatan_id)
        );
      case 'kecamatan':
        return p.role === 'kecamatan' && p.regionId === r.kecamatan_id;
      case 'dprd': {
        if (p.role !== 'dprd') return false;
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
      case 'bappeda':
        return p.role === 'bappeda';
      case 'opd':
        return (p.role === 'opd_operator' || p.role === 'opd_head') && p.opdId !== null && p.opdId === r.opd_id;
      case 'tapd':
        return p.role === 'tapd';
      default:
        return false;
    }
  })();
  if (!ok) throw forbidden('pln.error.not_your_stage');
}

/** Operators enter and edit proposals of their own kelurahan/kecamatan only. */
function checkRegionActor(p: Principal, kecamatanId: number, kelurahanId: number | null | undefined) {
  if (p.role === 'kelurahan' && (!kelurahanId || kelurahanId !== p.regionId))
    throw forbidden('pln.error.not_your_region');
  if (p.role === 'kecamatan' && kecamatanId !== p.regionId) throw forbidden('pln.error.not_your_region');
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
async function checkMapping(db: Q, pemdaId: number, year: number, code: string, opdId: number) {
  const nom =
    (await getNomenclature(db as Db, pemdaId, year, code)) ??
    (await getNomenclature(db as Db, pemdaId, year - 1, code));
  if (!nom || nom.level !== 'sub_kegiatan') throw fieldError('sub_kegiatan_code', 'pln.error.code_unknown', { code });
  const org = await getOrganisation(db as Db, pemdaId, opdId);
  if (!org || org.kind === 'unit') throw fieldError('opd_id', 'pln.error.opd_unknown');
  if (!(await opdCarriesBidang(db as Db, pemdaId, opdId, bidangOf(code))))
    throw fieldError('sub_kegiatan_code', 'pln.error.bidang_not_carried');
}

async function addStep(
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
async function lockProposal(uow: UnitOfWork, id: number, version: number) {
  const before = await loadProposal(uow.trx, uow.actor.pemdaId, id, true);
  if (before.version !== version) throw conflict('error.conflict', { current: proposalOut(before) });
  return before;
}

/** Write a change to a proposal as its next version. */
async function saveProposal(uow: UnitOfWork, before: { id: number; version: number }, set: Updateable<ProposalTable>) {
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

async function musrenbangOpen(db: Q, pemdaId: number, year: number): Promise<boolean> {
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
export async function createCitizenProposal(db: Db, system: Principal, input: z.input<typeof citizenProposalSchema>) {
  const v = citizenProposalSchema.parse(input);
  const year = await openMusrenbangYear(db, system.pemdaId);
  if (!year) throw conflict('pln.error.musrenbang_closed', undefined, { year: '' });
  const kel = await getRegion(db, system.pemdaId, v.kelurahan_id);
  if (!kel || kel.kind === 'kecamatan' || !kel.parentId) throw fieldError('kelurahan_id', 'pln.error.region_unknown');
  return insertProposal(db, system, {
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
  if (p.role !== 'dprd' || !member) throw forbidden('pln.error.not_dprd_member');
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
async function checkEditor(db: Q, p: Principal, r: ProposalRow) {
  const first = chainOf(r.kind)[0];
  if (r.status !== 'pending' || r.stage !== first) throw conflict('pln.error.not_editable');
  if (r.kind === 'pokir') {
    const m = await dprdMemberOf(db, p.pemdaId, p.userId);
    if (p.role === 'bappeda') return;
    if (p.role !== 'dprd' || !m || m.id !== r.dprd_member_id) throw forbidden('pln.error.not_your_proposal');
    if (!(await pokirOpen(db, p.pemdaId, r.year)))
      throw conflict('pln.error.pokir_window_closed', undefined, { year: r.year });
    return;
  }
  if (p.role === 'bappeda') return;
  if (p.role !== 'kelurahan' && p.role !== 'kecamatan') throw forbidden();
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

// ---- mapping -------------------------------------------------------------------------------------------

/** Who may confirm the mapping: Bappeda until the proposal is in a Renja; the forum operators and the Pokir's member while it is still with them. */
async function checkMapper(db: Q, p: Principal, r: ProposalRow) {
  if (!['pending', 'accepted'].includes(r.status) || r.renja_item_id) throw conflict('pln.error.not_editable');
  if (p.role === 'bappeda') return;
  if (
    r.kind === 'musrenbang' &&
    (p.role === 'kelurahan' || p.role === 'kecamatan') &&
    (r.stage === 'kelurahan' || r.stage === 'kecamatan')
  ) {
    if (p.role === 'kelurahan' && r.stage !== 'kelurahan') throw forbidden('pln.error.not_your_stage');
    return checkRegionActor(p, r.kecamatan_id, r.kelurahan_id);
  }
  if (r.kind === 'pokir' && p.role === 'dprd' && r.stage === 'bappeda') {
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
    if (p.role !== 'tapd' && p.role !== 'bappeda') throw forbidden('pln.error.not_your_stage');
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
  if (p.role !== 'bappeda' && !(isOpdScoped(p.role) && p.opdId === r.opd_id))
    throw forbidden('pln.error.not_your_stage');
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

export const carryOverSchema = z.object({ version: versionIn, year: z.coerce.number().int().min(2000).max(2100) });

export async function carryOver(db: Db, p: Principal, id: number, input: z.input<typeof carryOverSchema>) {
  const v = carryOverSchema.parse(input);
  const r = await loadProposal(db, p.pemdaId, id);
  if (r.kind !== 'musrenbang' || r.status !== 'backlog') throw conflict('pln.error.not_backlog');
  if (v.year <= r.year) throw fieldError('year', 'pln.error.carry_year');
  if (p.role !== 'bappeda') {
    if (p.role !== 'kelurahan' && p.role !== 'kecamatan') throw forbidden();
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
  if (!opts.skipEditorCheck) await checkEditor(db, p, r);
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
