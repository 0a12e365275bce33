// The read side: the operations room list, one incident with its reports, assignments, timeline
// and timers, a unit's queue, the supervisor's breaches, and the public status of a report.
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { notFound } from '../../core/errors.ts';
import { can, requirePermission } from '../../core/auth/policy.ts';
import type { Principal } from '../../core/roles.ts';
import { clock } from './clock.ts';
import { timersOf, type Timer } from './timers.ts';
import { namesOf, type Names } from './names.ts';
import type { AssignmentStatus, IncidentStatus, ReportSource } from './cc.tables.ts';

export interface AssignmentView {
  id: number;
  incident_id: number;
  opd_id: number;
  opd_name: string;
  status: AssignmentStatus;
  dispatched_at: Date;
  acknowledged_at: Date | null;
  en_route_at: Date | null;
  on_scene_at: Date | null;
  resolved_at: Date | null;
  handed_back_at: Date | null;
  note: string;
  reason: string;
  version: number;
  has_photo: boolean;
  timers: Timer[];
}

export interface IncidentRow {
  id: number;
  category_id: number;
  category_code: string;
  category_name: string;
  priority: number;
  status: IncidentStatus;
  description: string;
  kecamatan_id: number;
  kecamatan: string;
  kelurahan_id: number | null;
  kelurahan: string | null;
  address: string;
  lat: string | null;
  lon: string | null;
  received_at: Date;
  dispatched_at: Date | null;
  closed_at: Date | null;
  merged_into: number | null;
  version: number;
  dispatch_min: number;
  arrive_min: number;
  resolve_min: number;
  reports: number;
  opds: string | null;
  first_on_scene_at: Date | null;
}

export interface IncidentView extends IncidentRow {
  timers: Timer[];
  breached: boolean;
}

const lang2col = (lang: 'id' | 'en') => (lang === 'en' ? 'c.name_en' : 'c.name_id');

function incidentQuery(db: Db, pemdaId: number, lang: 'id' | 'en') {
  return db
    .selectFrom('cc_incident as i')
    .innerJoin('cc_category as c', (j) => j.onRef('c.pemda_id', '=', 'i.pemda_id').onRef('c.id', '=', 'i.category_id'))
    .select([
      'i.id',
      'i.category_id',
      'c.code as category_code',
      sql.ref<string>(lang2col(lang)).as('category_name'),
      'i.priority',
      'i.status',
      'i.description',
      'i.kecamatan_id',
      'i.kelurahan_id',
      'i.address',
      'i.lat',
      'i.lon',
      'i.received_at',
      'i.dispatched_at',
      'i.closed_at',
      'i.merged_into',
      'i.version',
      'c.dispatch_min',
      'c.arrive_min',
      'c.resolve_min',
    ])
    .select([
      sql<number>`(SELECT count(*)::int FROM cc_report r WHERE r.pemda_id = i.pemda_id AND r.incident_id = i.id)`.as(
        'reports',
      ),
      sql<string | null>`(SELECT string_agg(a.opd_id::text || ':' || a.status, ' ' ORDER BY a.id) FROM cc_assignment a
        WHERE a.pemda_id = i.pemda_id AND a.incident_id = i.id)`.as('opds'),
      sql<Date | null>`(SELECT min(a.on_scene_at) FROM cc_assignment a
        WHERE a.pemda_id = i.pemda_id AND a.incident_id = i.id)`.as('first_on_scene_at'),
    ])
    .where('i.pemda_id', '=', pemdaId);
}

type RawIncident = Omit<IncidentRow, 'kecamatan' | 'kelurahan'>;

/** Region and OPD names from master data (its index.ts), over the module's own rows. */
function named(rows: RawIncident[], n: Names): IncidentRow[] {
  return rows.map((r) => ({
    ...r,
    kecamatan: n.region(r.kecamatan_id) ?? '',
    kelurahan: n.region(r.kelurahan_id),
    opds: r.opds
      ? r.opds
          .split(' ')
          .map((x) => {
            const [id, st] = x.split(':');
            return `${n.opdShort(Number(id))}:${st}`;
          })
          .join(' ')
      : null,
  }));
}

function withTimers(r: IncidentRow, now: Date): IncidentView {
  const timers = timersOf(
    {
      received_at: new Date(r.received_at),
      dispatched_at: r.dispatched_at && new Date(r.dispatched_at),
      on_scene_at: r.first_on_scene_at && new Date(r.first_on_scene_at),
      resolved_at: r.closed_at && new Date(r.closed_at),
    },
    r,
    now,
  );
  return { ...r, timers, breached: r.status !== 'merged' && timers.some((t) => t.breached) };
}

export interface ListFilter {
  status?: 'active' | 'closed' | 'all';
  limit?: number;
  lang?: 'id' | 'en';
}

/** The operations room: active incidents (open and dispatched), most urgent first. */
export async function listIncidents(db: Db, actor: Principal, f: ListFilter = {}): Promise<IncidentView[]> {
  requirePermission(actor, 'cc.read');
  let q = incidentQuery(db, actor.pemdaId, f.lang ?? 'id');
  if ((f.status ?? 'active') === 'active') q = q.where('i.status', 'in', ['open', 'dispatched']);
  else if (f.status === 'closed') q = q.where('i.status', '=', 'closed');
  else q = q.where('i.status', '<>', 'merged');
  const rows = named(
    (await q
      .orderBy(f.status === 'closed' ? 'i.closed_at' : 'i.priority', f.status === 'closed' ? 'desc' : 'asc')
      .orderBy('i.received_at', 'desc')
      .limit(f.limit ?? 200)
      .execute()) as RawIncident[],
    await namesOf(db, actor.pemdaId),
  );
  const now = clock().now();
  return rows.map((r) => withTimers(r, now));
}

async function assignmentsOf(db: Db, pemdaId: number, where: { incidentId?: number; opdId?: number }, active = false) {
  let q = db
    .selectFrom('cc_assignment as a')
    .select([
      'a.id',
      'a.incident_id',
      'a.opd_id',
      'a.status',
      'a.dispatched_at',
      'a.acknowledged_at',
      'a.en_route_at',
      'a.on_scene_at',
      'a.resolved_at',
      'a.handed_back_at',
      'a.note',
      'a.reason',
      'a.version',
      sql<boolean>`a.photo IS NOT NULL`.as('has_photo'),
    ])
    .where('a.pemda_id', '=', pemdaId);
  if (where.incidentId !== undefined) q = q.where('a.incident_id', '=', where.incidentId);
  if (where.opdId !== undefined) q = q.where('a.opd_id', '=', where.opdId);
  if (active) q = q.where('a.status', 'not in', ['resolved', 'handed_back']);
  const n = await namesOf(db, pemdaId);
  return (await q.orderBy('a.id').execute()).map((a) => ({ ...a, opd_name: n.opd(a.opd_id) ?? '' }));
}

function assignmentTimers(
  a: Awaited<ReturnType<typeof assignmentsOf>>[number],
  inc: { received_at: Date; dispatched_at: Date | null; dispatch_min: number; arrive_min: number; resolve_min: number },
  now: Date,
): Timer[] {
  const end = a.status === 'handed_back' ? a.handed_back_at : null;
  return timersOf(
    {
      received_at: new Date(inc.received_at),
      dispatched_at: new Date(a.dispatched_at),
      on_scene_at: a.on_scene_at ?? (a.resolved_at ? a.resolved_at : end),
      resolved_at: a.resolved_at ?? end,
    },
    inc,
    now,
  ).filter((t) => t.kind !== 'dispatch');
}

export interface ReportView {
  id: number;
  tracking_code: string;
  source: ReportSource;
  reporter_name: string;
  reporter_phone: string;
  reporter_email: string;
  description: string;
  received_at: Date;
  has_photo: boolean;
}

export interface TimelineStep {
  id: string;
  kind: string;
  at: Date;
  actor_name: string;
  opd_name: string | null;
  note: string;
}

export interface IncidentDetail {
  incident: IncidentView;
  reports: ReportView[];
  assignments: AssignmentView[];
  timeline: TimelineStep[];
}

/**
 * One incident. The command center reads every incident; a unit only one assigned to its OPD
 * (any other is "not found" to it, so it cannot even learn that it exists).
 */
export async function getIncident(
  db: Db,
  actor: Principal,
  id: number,
  lang: 'id' | 'en' = 'id',
): Promise<IncidentDetail> {
  const pemdaId = actor.pemdaId;
  let onlyOpd: number | undefined;
  const contacts = can(actor, 'cc.read') || can(actor, 'cc.queue');
  if (!can(actor, 'cc.read') && !can(actor, 'cc.hotspots')) {
    requirePermission(actor, 'cc.queue', { opdId: actor.opdId });
    const mine = await db
      .selectFrom('cc_assignment')
      .select('opd_id')
      .where('pemda_id', '=', pemdaId)
      .where('incident_id', '=', id)
      .where('opd_id', '=', actor.opdId!)
      .executeTakeFirst();
    if (!mine) throw notFound();
    onlyOpd = mine.opd_id;
  }
  const raw = (await incidentQuery(db, pemdaId, lang).where('i.id', '=', id).executeTakeFirst()) as
    RawIncident | undefined;
  if (!raw) throw notFound();
  const names = await namesOf(db, pemdaId);
  const row = named([raw], names)[0]!;
  const now = clock().now();
  const incident = withTimers(row, now);
  const [reports, assignments, timeline] = await Promise.all([
    db
      .selectFrom('cc_report')
      .select([
        'id',
        'tracking_code',
        'source',
        'reporter_name',
        'reporter_phone',
        'reporter_email',
        'description',
        'received_at',
        sql<boolean>`photo IS NOT NULL`.as('has_photo'),
      ])
      .where('pemda_id', '=', pemdaId)
      .where('incident_id', '=', id)
      .orderBy('id')
      .execute(),
    assignmentsOf(db, pemdaId, { incidentId: id, opdId: onlyOpd }),
    db
      .selectFrom('cc_event as e')
      .select(['e.id', 'e.kind', 'e.at', 'e.actor_name', 'e.opd_id', 'e.note'])
      .where('e.pemda_id', '=', pemdaId)
      .where('e.incident_id', '=', id)
      .$if(onlyOpd !== undefined, (q) =>
        q.where((eb) => eb.or([eb('e.opd_id', 'is', null), eb('e.opd_id', '=', onlyOpd!)])),
      )
      .orderBy('e.at')
      .orderBy('e.id')
      .execute(),
  ]);
  return {
    incident,
    reports: contacts ? reports : reports.map((r) => ({ ...r, reporter_phone: '', reporter_email: '' })),
    assignments: assignments.map((a) => ({ ...a, timers: assignmentTimers(a, row, now) })),
    timeline: timeline.map(({ opd_id, ...e }) => ({ ...e, opd_name: names.opd(opd_id) })),
  };
}

export interface QueueItem extends AssignmentView {
  incident: IncidentView;
}

/** A unit's queue: the live assignments of one OPD, and those finished in the last 24 hours. */
export async function unitQueue(
  db: Db,
  actor: Principal,
  opdId: number | null,
  lang: 'id' | 'en' = 'id',
): Promise<{ active: QueueItem[]; done: QueueItem[] }> {
  requirePermission(actor, 'cc.queue', { opdId });
  const pemdaId = actor.pemdaId;
  const now = clock().now();
  const rows = await assignmentsOf(db, pemdaId, { opdId: opdId! });
  const since = now.getTime() - 86_400_000;
  const keep = rows.filter(
    (a) =>
      !['resolved', 'handed_back'].includes(a.status) ||
      new Date(a.resolved_at ?? a.handed_back_at ?? 0).getTime() >= since,
  );
  const ids = [...new Set(keep.map((a) => a.incident_id))];
  const incs = ids.length
    ? named(
        (await incidentQuery(db, pemdaId, lang).where('i.id', 'in', ids).execute()) as RawIncident[],
        await namesOf(db, pemdaId),
      )
    : [];
  const byId = new Map(incs.map((i) => [i.id, withTimers(i, now)]));
  const items = keep
    .filter((a) => byId.has(a.incident_id))
    .map((a) => ({
      ...a,
      timers: assignmentTimers(a, byId.get(a.incident_id)!, now),
      incident: byId.get(a.incident_id)!,
    }));
  const active = items
    .filter((a) => !['resolved', 'handed_back'].includes(a.status))
    .sort(
      (x, y) => x.incident.priority - y.incident.priority || +new Date(x.dispatched_at) - +new Date(y.dispatched_at),
    );
  const done = items.filter((a) => ['resolved', 'handed_back'].includes(a.status)).reverse();
  return { active, done };
}

export interface Breach {
  incident_id: number;
  category_name: string;
  priority: number;
  kecamatan: string;
  received_at: Date;
  opd_name: string | null;
  assignment_id: number | null;
  timer: Timer;
}

/** The supervisor's view: every target passed by an active incident or assignment, now. */
export async function breaches(db: Db, actor: Principal, lang: 'id' | 'en' = 'id'): Promise<Breach[]> {
  requirePermission(actor, 'cc.supervise');
  const pemdaId = actor.pemdaId;
  const now = clock().now();
  const names = await namesOf(db, pemdaId);
  const incs = named(
    (await incidentQuery(db, pemdaId, lang)
      .where('i.status', 'in', ['open', 'dispatched'])
      .orderBy('i.received_at')
      .execute()) as RawIncident[],
    names,
  );
  if (incs.length === 0) return [];
  const asg = await db
    .selectFrom('cc_assignment as a')
    .select([
      'a.id',
      'a.incident_id',
      'a.opd_id',
      'a.status',
      'a.dispatched_at',
      'a.on_scene_at',
      'a.resolved_at',
      'a.handed_back_at',
    ])
    .where('a.pemda_id', '=', pemdaId)
    .where(
      'a.incident_id',
      'in',
      incs.map((i) => i.id),
    )
    .where('a.status', 'not in', ['resolved', 'handed_back'])
    .execute();
  const out: Breach[] = [];
  for (const i of incs) {
    const base = {
      incident_id: i.id,
      category_name: i.category_name,
      priority: i.priority,
      kecamatan: i.kecamatan,
      received_at: i.received_at,
    };
    const v = withTimers(i, now);
    const d = v.timers.find((t) => t.kind === 'dispatch')!;
    if (d.breached && !d.done) out.push({ ...base, opd_name: null, assignment_id: null, timer: d });
    for (const a of asg.filter((x) => x.incident_id === i.id)) {
      const ts = timersOf(
        {
          received_at: new Date(i.received_at),
          dispatched_at: new Date(a.dispatched_at),
          on_scene_at: a.on_scene_at,
          resolved_at: a.resolved_at,
        },
        i,
        now,
      );
      for (const t of ts)
        if (t.kind !== 'dispatch' && t.breached && !t.done)
          out.push({ ...base, opd_name: names.opd(a.opd_id), assignment_id: a.id, timer: t });
    }
  }
  return out.sort((a, b) => a.priority - b.priority || a.timer.leftMin - b.timer.leftMin);
}

// ---- public status ----------------------------------------------------------------------------------------
export interface PublicStatus {
  tracking_code: string;
  /** Open311's two statuses. */
  status: 'open' | 'closed';
  /** received | dispatched | on_scene | closed */
  stage: string;
  status_note_key: string;
  opds: string[];
  category_code: string;
  category_name: string;
  description: string;
  kecamatan: string;
  kelurahan: string | null;
  address: string;
  lat: string | null;
  lon: string | null;
  requested_at: Date;
  updated_at: Date;
  has_photo: boolean;
  token: string | null;
  source: ReportSource;
}

/**
 * What a citizen may see of a report: the status of the incident it belongs to, the OPD handling
 * it, and what the reporter wrote. Never a phone number, an e-mail, another reporter or a unit's
 * internal notes.
 */
export async function publicStatuses(
  db: Db,
  pemdaId: number,
  where: {
    codes?: string[];
    categoryCodes?: string[];
    from?: Date;
    to?: Date;
    status?: 'open' | 'closed';
    token?: string;
    limit?: number;
    /** Listing (not a lookup by code): citizens' own reports in public categories only. */
    listing?: boolean;
  },
  lang: 'id' | 'en' = 'id',
): Promise<PublicStatus[]> {
  let q = db
    .selectFrom('cc_report as r')
    .innerJoin('cc_incident as i', (j) => j.onRef('i.pemda_id', '=', 'r.pemda_id').onRef('i.id', '=', 'r.incident_id'))
    .innerJoin('cc_category as c', (j) => j.onRef('c.pemda_id', '=', 'i.pemda_id').onRef('c.id', '=', 'i.category_id'))
    .select([
      'r.tracking_code',
      'r.source',
      'r.token',
      'r.description',
      'r.received_at as requested_at',
      sql<boolean>`r.photo IS NOT NULL`.as('has_photo'),
      'i.status as incident_status',
      'i.address',
      'i.lat',
      'i.lon',
      'c.code as category_code',
      sql.ref<string>(lang2col(lang)).as('category_name'),
      'i.kecamatan_id',
      'i.kelurahan_id',
      sql<Date>`greatest(r.received_at, coalesce((SELECT max(e.at) FROM cc_event e
        WHERE e.pemda_id = i.pemda_id AND e.incident_id = i.id), r.received_at))`.as('updated_at'),
      sql<number[] | null>`(SELECT array_agg(DISTINCT a.opd_id) FROM cc_assignment a
        WHERE a.pemda_id = i.pemda_id AND a.incident_id = i.id AND a.status <> 'handed_back')`.as('opds'),
      sql<boolean>`EXISTS (SELECT 1 FROM cc_assignment a WHERE a.pemda_id = i.pemda_id AND a.incident_id = i.id
        AND a.status IN ('on_scene', 'resolved'))`.as('on_scene'),
    ])
    .where('r.pemda_id', '=', pemdaId);
  if (where.codes) q = q.where('r.tracking_code', 'in', where.codes.length ? where.codes : ['-']);
  if (where.listing) q = q.where('c.public', '=', true).where('r.source', 'in', ['web', 'open311']);
  if (where.token) q = q.where('r.token', '=', where.token);
  if (where.categoryCodes) q = q.where('c.code', 'in', where.categoryCodes.length ? where.categoryCodes : ['-']);
  if (where.from) q = q.where('r.received_at', '>=', where.from);
  if (where.to) q = q.where('r.received_at', '<=', where.to);
  if (where.status === 'closed') q = q.where('i.status', '=', 'closed');
  if (where.status === 'open') q = q.where('i.status', '<>', 'closed');
  const rows = await q
    .orderBy('r.received_at', 'desc')
    .limit(where.limit ?? 1000)
    .execute();
  const names = await namesOf(db, pemdaId);
  return rows.map((r) => {
    const opds = (r.opds ?? []).map((id) => names.opd(Number(id)) ?? '').filter(Boolean);
    const closed = r.incident_status === 'closed';
    const stage = closed ? 'closed' : r.on_scene ? 'on_scene' : opds.length ? 'dispatched' : 'received';
    return {
      tracking_code: r.tracking_code,
      status: closed ? 'closed' : 'open',
      stage,
      status_note_key: `cc.public.stage.${stage}`,
      opds,
      category_code: r.category_code,
      category_name: r.category_name,
      description: r.description,
      kecamatan: names.region(r.kecamatan_id) ?? '',
      kelurahan: names.region(r.kelurahan_id),
      address: r.address,
      lat: r.lat,
      lon: r.lon,
      requested_at: r.requested_at,
      updated_at: new Date(r.updated_at),
      has_photo: r.has_photo,
      token: r.token,
      source: r.source,
    };
  });
}

/** A report's photo (public: the reporter's own picture of the scene). */
export async function reportPhoto(db: Db, pemdaId: number, code: string) {
  return db
    .selectFrom('cc_report')
    .select(['photo', 'photo_type'])
    .where('pemda_id', '=', pemdaId)
    .where('tracking_code', '=', code)
    .executeTakeFirst();
}
