// Musrenbang and Pokir proposals, reading: the chains, tracking codes, lists and who sees what.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import { sql } from 'kysely';
import { notFound } from '../../core/errors.ts';
import { type Principal, isOpdScoped } from '../../core/roles.ts';
import { can, regionScopeOf } from '../../core/auth/policy.ts';
import { type Q, cleanDecimal } from './common.ts';
import type { Stage, ProposalKind } from './planning.tables.ts';

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
export const MAPPING_STAGE: Record<ProposalKind, Stage> = { musrenbang: 'kecamatan', pokir: 'bappeda' };

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
  const pokir = can(p, 'planning.pokir.read') ? 'all' : isOpdScoped(p.role) ? 'opd' : 'none';
  const scope = regionScopeOf(p);
  const region = scope ? { col: `${scope.level}_id` as const, id: scope.id } : null;
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
  year: intIn(z.number().int().min(2000).max(2100).optional()),
  kind: z.enum(['musrenbang', 'pokir']).optional(),
  stage: z.enum(['kelurahan', 'kecamatan', 'dprd', 'bappeda', 'opd', 'tapd', 'final']).optional(),
  status: z.enum(['pending', 'accepted', 'rejected', 'merged', 'backlog', 'carried']).optional(),
  opd_id: intIn(z.number().int().positive().optional()),
  kecamatan_id: intIn(z.number().int().positive().optional()),
  kelurahan_id: intIn(z.number().int().positive().optional()),
  dprd_member_id: intIn(z.number().int().positive().optional()),
  q: z.string().trim().max(100).optional(),
  limit: intIn(z.number().int().min(1).max(1000).default(100)),
  offset: intIn(z.number().int().min(0).default(0)),
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
