// Statistics, aggregated in SQL: incidents by category, kecamatan, OPD and day over a period, and
// response times (p50, p90) per OPD and category against the category's targets. An OPD-scoped
// reader (an OPD head) gets the figures of its own OPD only. Also the hot spots over a year.
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { mutate } from '../../core/audit/audit.ts';
import { conflict, fieldError } from '../../core/errors.ts';
import { raiseProposal } from '../planning/index.ts';
import { isOpdScoped, type Principal } from '../../core/roles.ts';
import { namesOf } from './names.ts';

export interface Period {
  from: Date;
  to: Date;
}

export interface CountRow {
  key: string;
  label: string;
  n: number;
  closed: number;
}

export interface ResponseRow {
  opd_id: number;
  opd: string;
  category_code: string;
  category: string;
  n: number;
  dispatch_p50: string | null;
  dispatch_p90: string | null;
  arrive_p50: string | null;
  arrive_p90: string | null;
  resolve_p50: string | null;
  resolve_p90: string | null;
  dispatch_min: number;
  arrive_min: number;
  resolve_min: number;
  /** Assignments on scene within the arrive target, in % of those on scene. */
  arrive_ok_pct: string | null;
}

export interface Stats {
  period: Period;
  opdOnly: number | null;
  total: number;
  byCategory: CountRow[];
  byKecamatan: CountRow[];
  byOpd: CountRow[];
  byDay: CountRow[];
  response: ResponseRow[];
}

const mins = (a: string, b: string) => sql`extract(epoch from (${sql.ref(a)} - ${sql.ref(b)})) / 60`;
const pct = (p: number, expr: ReturnType<typeof mins>) =>
  sql<string | null>`round((percentile_cont(${sql.lit(p)}) WITHIN GROUP (ORDER BY ${expr}))::numeric, 1)::text`;

export async function statistics(
  db: Db,
  actor: Principal,
  period: Period,
  lang: 'id' | 'en',
  timeZone: string,
): Promise<Stats> {
  // an OPD head reads its own OPD's figures
  const opdOnly = isOpdScoped(actor.role) ? actor.opdId : null;
  requirePermission(actor, 'cc.stats', opdOnly === null ? undefined : { opdId: opdOnly });
  const pemdaId = actor.pemdaId;
  const names = await namesOf(db, pemdaId);
  const catName = lang === 'en' ? 'c.name_en' : 'c.name_id';

  let base = db
    .selectFrom('cc_incident as i')
    .where('i.pemda_id', '=', pemdaId)
    .where('i.status', '<>', 'merged')
    .where('i.received_at', '>=', period.from)
    .where('i.received_at', '<', period.to);
  if (opdOnly !== null)
    base = base.where((eb) =>
      eb.exists(
        eb
          .selectFrom('cc_assignment as x')
          .select('x.id')
          .whereRef('x.pemda_id', '=', 'i.pemda_id')
          .whereRef('x.incident_id', '=', 'i.id')
          .where('x.opd_id', '=', opdOnly),
      ),
    );
  // one literal (not two parameters) so that GROUP BY and SELECT hold the same expression
  const tz = sql.lit(/^[A-Za-z_/+-]{1,40}$/.test(timeZone) ? timeZone : 'Asia/Jakarta');
  const closedN = sql<number>`count(*) FILTER (WHERE i.status = 'closed')::int`;

  const [byCat, byKec, byDay, total] = await Promise.all([
    base
      .innerJoin('cc_category as c', (j) =>
        j.onRef('c.pemda_id', '=', 'i.pemda_id').onRef('c.id', '=', 'i.category_id'),
      )
      .select([
        'c.code as key',
        sql.ref<string>(catName).as('label'),
        sql<number>`count(*)::int`.as('n'),
        closedN.as('closed'),
      ])
      .groupBy(['c.code', sql.ref(catName)])
      .orderBy('n', 'desc')
      .execute(),
    base
      .select(['i.kecamatan_id', sql<number>`count(*)::int`.as('n'), closedN.as('closed')])
      .groupBy('i.kecamatan_id')
      .orderBy('n', 'desc')
      .execute(),
    base
      .select([
        sql<string>`to_char((i.received_at AT TIME ZONE ${tz})::date, 'YYYY-MM-DD')`.as('key'),
        sql<number>`count(*)::int`.as('n'),
        closedN.as('closed'),
      ])
      .groupBy(sql`(i.received_at AT TIME ZONE ${tz})::date`)
      .orderBy('key')
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);

  let asg = db
    .selectFrom('cc_assignment as a')
    .innerJoin('cc_incident as i', (j) => j.onRef('i.pemda_id', '=', 'a.pemda_id').onRef('i.id', '=', 'a.incident_id'))
    .innerJoin('cc_category as c', (j) => j.onRef('c.pemda_id', '=', 'i.pemda_id').onRef('c.id', '=', 'i.category_id'))
    .where('a.pemda_id', '=', pemdaId)
    .where('i.received_at', '>=', period.from)
    .where('i.received_at', '<', period.to);
  if (opdOnly !== null) asg = asg.where('a.opd_id', '=', opdOnly);

  const [byOpd, response] = await Promise.all([
    asg
      .select([
        'a.opd_id',
        sql<number>`count(*)::int`.as('n'),
        sql<number>`count(*) FILTER (WHERE a.status = 'resolved')::int`.as('closed'),
      ])
      .groupBy('a.opd_id')
      .orderBy('n', 'desc')
      .execute(),
    asg
      .where('a.status', '<>', 'handed_back')
      .select([
        'a.opd_id',
        'c.code as category_code',
        sql.ref<string>(catName).as('category'),
        sql<number>`count(*)::int`.as('n'),
        pct(0.5, mins('a.dispatched_at', 'i.received_at')).as('dispatch_p50'),
        pct(0.9, mins('a.dispatched_at', 'i.received_at')).as('dispatch_p90'),
        pct(0.5, mins('a.on_scene_at', 'i.received_at')).as('arrive_p50'),
        pct(0.9, mins('a.on_scene_at', 'i.received_at')).as('arrive_p90'),
        pct(0.5, mins('a.resolved_at', 'i.received_at')).as('resolve_p50'),
        pct(0.9, mins('a.resolved_at', 'i.received_at')).as('resolve_p90'),
        'c.dispatch_min',
        'c.arrive_min',
        'c.resolve_min',
        sql<string | null>`CASE WHEN count(a.on_scene_at) = 0 THEN NULL ELSE round(100.0 * count(*) FILTER (
          WHERE a.on_scene_at - i.received_at <= make_interval(mins => c.arrive_min)) / count(a.on_scene_at), 1)::text END`.as(
          'arrive_ok_pct',
        ),
      ])
      .groupBy(['a.opd_id', 'c.code', sql.ref(catName), 'c.dispatch_min', 'c.arrive_min', 'c.resolve_min'])
      .orderBy('a.opd_id')
      .orderBy('c.code')
      .execute(),
  ]);

  return {
    period,
    opdOnly,
    total: total.n,
    byCategory: byCat,
    byKecamatan: byKec.map((r) => ({
      key: String(r.kecamatan_id),
      label: names.region(r.kecamatan_id) ?? '',
      n: r.n,
      closed: r.closed,
    })),
    byOpd: byOpd.map((r) => ({ key: String(r.opd_id), label: names.opd(r.opd_id) ?? '', n: r.n, closed: r.closed })),
    byDay: byDay.map((r) => ({ ...r, label: r.key })),
    response: response.map((r) => ({ ...r, opd: names.opd(r.opd_id) ?? '' })),
  };
}

export interface HotSpot {
  kecamatan_id: number;
  kecamatan: string;
  kelurahan_id: number | null;
  kelurahan: string | null;
  category_code: string;
  category: string;
  n: number;
  first: Date;
  last: Date;
  incident_ids: number[];
  /** The planning proposal already raised from this hot spot. */
  proposal: string | null;
}

/** Places where one category of incident keeps coming back (at least `min` times over the period). */
export async function hotSpots(
  db: Db,
  actor: Principal,
  period: Period,
  lang: 'id' | 'en',
  min = 3,
): Promise<HotSpot[]> {
  requirePermission(actor, 'cc.hotspots');
  const names = await namesOf(db, actor.pemdaId);
  const catName = lang === 'en' ? 'c.name_en' : 'c.name_id';
  const rows = await db
    .selectFrom('cc_incident as i')
    .innerJoin('cc_category as c', (j) => j.onRef('c.pemda_id', '=', 'i.pemda_id').onRef('c.id', '=', 'i.category_id'))
    .where('i.pemda_id', '=', actor.pemdaId)
    .where('i.status', '<>', 'merged')
    .where('i.received_at', '>=', period.from)
    .where('i.received_at', '<', period.to)
    .select([
      'i.kecamatan_id',
      'i.kelurahan_id',
      'c.code as category_code',
      sql.ref<string>(catName).as('category'),
      sql<number>`count(*)::int`.as('n'),
      sql<Date>`min(i.received_at)`.as('first'),
      sql<Date>`max(i.received_at)`.as('last'),
      sql<number[]>`array_agg(i.id ORDER BY i.received_at)`.as('incident_ids'),
    ])
    .groupBy(['i.kecamatan_id', 'i.kelurahan_id', 'c.code', sql.ref(catName)])
    .having(sql`count(*)`, '>=', min)
    .orderBy('n', 'desc')
    .limit(100)
    .execute();
  const raised = await db
    .selectFrom('cc_hotspot_proposal as h')
    .innerJoin('cc_category as c', (j) => j.onRef('c.pemda_id', '=', 'h.pemda_id').onRef('c.id', '=', 'h.category_id'))
    .select(['c.code', 'h.kecamatan_id', 'h.kelurahan_id', 'h.tracking_code'])
    .where('h.pemda_id', '=', actor.pemdaId)
    .execute();
  return rows.map((r) => ({
    ...r,
    kecamatan: names.region(r.kecamatan_id) ?? '',
    kelurahan: names.region(r.kelurahan_id),
    incident_ids: r.incident_ids.map(Number),
    proposal:
      raised.find(
        (x) => x.code === r.category_code && x.kecamatan_id === r.kecamatan_id && x.kelurahan_id === r.kelurahan_id,
      )?.tracking_code ?? null,
  }));
}

/**
 * Bappeda raises a planning proposal from a hot spot: a Musrenbang proposal (through planning's
 * index.ts) whose problem states the incidents and links each one, recorded here so the hot spot
 * shows its proposal.
 */
export async function raiseFromHotspot(
  db: Db,
  actor: Principal,
  v: {
    category_code: string;
    kecamatan_id: number;
    kelurahan_id: number | null;
    title: string;
    estimated_cost: string;
    volume: string;
    unit: string;
  },
  lang: 'id' | 'en',
  base: string,
): Promise<string> {
  requirePermission(actor, 'cc.hotspots');
  // the same year as the hot-spot page shows
  const now = new Date();
  const spot = (await hotSpots(db, actor, { from: new Date(now.getTime() - 365 * 86_400_000), to: now }, lang)).find(
    (h) =>
      h.category_code === v.category_code && h.kecamatan_id === v.kecamatan_id && h.kelurahan_id === v.kelurahan_id,
  );
  if (!spot) throw fieldError('category_code', 'cc.error.hotspot');
  if (spot.proposal) throw conflict('cc.error.hotspot_raised', undefined, { code: spot.proposal });
  const place = [spot.kelurahan, spot.kecamatan].filter(Boolean).join(', ');
  const fmt = (d: Date) => new Date(d).toISOString().slice(0, 10);
  const problem = [
    `${spot.n} kejadian "${spot.category}" di ${place} antara ${fmt(spot.first)} dan ${fmt(spot.last)} tercatat di Command Center 112.`,
    `Bukti: ${spot.incident_ids.map((id) => `${base}/command-center/incidents/${id}`).join(' ')}`,
  ].join('\n');
  const p = await raiseProposal(db, actor, {
    title: v.title,
    problem,
    kecamatan_id: v.kecamatan_id,
    kelurahan_id: v.kelurahan_id,
    volume: v.volume,
    unit: v.unit,
    estimated_cost: v.estimated_cost,
  });
  const cat = await db
    .selectFrom('cc_category')
    .select('id')
    .where('pemda_id', '=', actor.pemdaId)
    .where('code', '=', v.category_code)
    .executeTakeFirstOrThrow();
  await mutate(db, actor, async (uow) => {
    const r = await uow.trx
      .insertInto('cc_hotspot_proposal')
      .values({
        pemda_id: actor.pemdaId,
        proposal_id: p.id,
        tracking_code: p.trackingCode,
        category_id: cat.id,
        kecamatan_id: v.kecamatan_id,
        kelurahan_id: v.kelurahan_id,
        incident_ids: spot.incident_ids,
        created_by: actor.fullName,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    uow.audit({
      action: 'raise_proposal',
      entity: 'cc_hotspot_proposal',
      entityId: r.id,
      after: { proposal: p.trackingCode, incidents: spot.incident_ids },
    });
  });
  return p.trackingCode;
}

/** Incidents with coordinates for the map (the period's, or the active ones). */
export async function mapPoints(db: Db, actor: Principal, period: Period) {
  requirePermission(actor, 'cc.read');
  return db
    .selectFrom('cc_incident as i')
    .innerJoin('cc_category as c', (j) => j.onRef('c.pemda_id', '=', 'i.pemda_id').onRef('c.id', '=', 'i.category_id'))
    .select([
      'i.id',
      'i.status',
      'i.lat',
      'i.lon',
      'i.priority',
      'c.code as category_code',
      'c.name_id',
      'c.name_en',
      'i.received_at',
    ])
    .where('i.pemda_id', '=', actor.pemdaId)
    .where('i.status', '<>', 'merged')
    .where('i.lat', 'is not', null)
    .where((eb) => eb.or([eb('i.received_at', '>=', period.from), eb('i.status', 'in', ['open', 'dispatched'])]))
    .where('i.received_at', '<', period.to)
    .orderBy('i.received_at')
    .limit(5000)
    .execute();
}
