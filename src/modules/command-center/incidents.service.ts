// Incidents: intake by the call-taker (with duplicate candidates shown before saving), citizens'
// reports (web form, Open311), merging, dispatch to OPD units. Every write is one unit of work with
// its audit entries, its timeline steps and its live event (published in the same transaction).
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx, type UnitOfWork } from '../../core/audit/audit.ts';
import { AppError, badRequest, conflict, fieldError } from '../../core/errors.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { publish } from '../../core/events/events.ts';
import type { Principal } from '../../core/roles.ts';
import { getOrganisation, getRegion } from '../master-data/index.ts';
import { clock } from './clock.ts';
import { distanceM } from './geo.ts';
import type { IntakeIn, PublicReportIn } from './cc.schema.ts';
import type { ReportSource } from './cc.tables.ts';

export type Q = Db | Trx;

export const OPS_CHANNEL = 'cc.ops';
export const opdChannel = (opdId: number) => `cc.opd.${opdId}`;

export interface Category {
  id: number;
  code: string;
  name_id: string;
  name_en: string;
  priority: number;
  dispatch_min: number;
  arrive_min: number;
  resolve_min: number;
  external: string;
  public: boolean;
  active: boolean;
  version: number;
  opd_ids: number[];
}

export async function listCategories(
  db: Q,
  pemdaId: number,
  opts: { publicOnly?: boolean; withInactive?: boolean } = {},
): Promise<Category[]> {
  let q = db
    .selectFrom('cc_category as c')
    .selectAll('c')
    .select(
      sql<number[]>`coalesce((SELECT array_agg(o.opd_id ORDER BY o.opd_id) FROM cc_category_opd o
        WHERE o.pemda_id = c.pemda_id AND o.category_id = c.id), '{}')`.as('opd_ids'),
    )
    .where('c.pemda_id', '=', pemdaId)
    .orderBy('c.code');
  if (!opts.withInactive) q = q.where('c.active', '=', true);
  if (opts.publicOnly) q = q.where('c.public', '=', true);
  const rows = await q.execute();
  return rows.map(({ pemda_id: _p, ...r }) => ({ ...r, opd_ids: r.opd_ids.map(Number) }));
}

export async function getCategory(db: Q, pemdaId: number, id: number): Promise<Category | undefined> {
  return (await listCategories(db, pemdaId)).find((c) => c.id === id);
}

export async function getSettings(db: Q, pemdaId: number): Promise<{ dup_distance_m: number; dup_window_min: number }> {
  const r = await db
    .selectFrom('cc_setting')
    .select(['dup_distance_m', 'dup_window_min'])
    .where('pemda_id', '=', pemdaId)
    .executeTakeFirst();
  return r ?? { dup_distance_m: 300, dup_window_min: 60 };
}

export async function saveSettings(
  db: Db,
  actor: Principal,
  v: { dup_distance_m: number; dup_window_min: number },
): Promise<void> {
  requirePermission(actor, 'cc.settings');
  await mutate(db, actor, async (uow) => {
    const before = await getSettings(uow.trx, actor.pemdaId);
    await uow.trx
      .insertInto('cc_setting')
      .values({ pemda_id: actor.pemdaId, ...v })
      .onConflict((oc) => oc.column('pemda_id').doUpdateSet(v))
      .execute();
    uow.audit({ action: 'update', entity: 'cc_setting', entityId: actor.pemdaId, before, after: v });
  });
}

// ---- tracking codes ------------------------------------------------------------------------------
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function newTrackingCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `CC-${s.slice(0, 4)}-${s.slice(4)}`;
}
export const TRACKING_RE = /^CC-[A-Z2-9]{4}-[A-Z2-9]{4}$/;

// ---- location --------------------------------------------------------------------------------------
async function checkLocation(db: Db, pemdaId: number, v: { kecamatan_id: number; kelurahan_id?: number }) {
  const kec = await getRegion(db, pemdaId, v.kecamatan_id);
  if (!kec || kec.kind !== 'kecamatan' || !kec.active) throw fieldError('kecamatan_id', 'cc.error.kecamatan_required');
  if (v.kelurahan_id !== undefined) {
    const kel = await getRegion(db, pemdaId, v.kelurahan_id);
    if (!kel || kel.kind === 'kecamatan' || kel.parentId !== kec.id)
      throw fieldError('kelurahan_id', 'cc.error.kelurahan');
  }
}

async function activeCategory(db: Q, pemdaId: number, id: number, publicOnly = false): Promise<Category> {
  const c = await getCategory(db, pemdaId, id);
  if (!c || (publicOnly && !c.public)) throw fieldError('category_id', 'cc.error.category_required');
  return c;
}

// ---- duplicates --------------------------------------------------------------------------------------
export interface DuplicateCandidate {
  id: number;
  status: string;
  received_at: Date;
  description: string;
  address: string;
  kelurahan_id: number | null;
  distance_m: number | null;
  reports: number;
}

/**
 * Incidents of the same category reported within the Pemda's time window and distance (by the
 * coordinates when both have them, else the same kelurahan, else the same kecamatan).
 */
export async function findDuplicates(
  db: Q,
  pemdaId: number,
  v: {
    category_id: number;
    kecamatan_id: number;
    kelurahan_id?: number | null;
    lat?: string | null;
    lon?: string | null;
  },
): Promise<DuplicateCandidate[]> {
  const s = await getSettings(db, pemdaId);
  const since = new Date(clock().now().getTime() - s.dup_window_min * 60_000);
  const rows = await db
    .selectFrom('cc_incident as i')
    .select([
      'i.id',
      'i.status',
      'i.received_at',
      'i.description',
      'i.address',
      'i.kelurahan_id',
      'i.kecamatan_id',
      'i.lat',
      'i.lon',
    ])
    .select(
      sql<number>`(SELECT count(*)::int FROM cc_report r WHERE r.pemda_id = i.pemda_id AND r.incident_id = i.id)`.as(
        'reports',
      ),
    )
    .where('i.pemda_id', '=', pemdaId)
    .where('i.category_id', '=', v.category_id)
    .where('i.status', '<>', 'merged')
    .where('i.received_at', '>=', since)
    .orderBy('i.received_at', 'desc')
    .limit(50)
    .execute();
  const out: DuplicateCandidate[] = [];
  for (const r of rows) {
    let d: number | null = null;
    if (v.lat && v.lon && r.lat && r.lon) {
      d = Math.round(distanceM(Number(v.lat), Number(v.lon), Number(r.lat), Number(r.lon)));
      if (d > s.dup_distance_m) continue;
    } else if (v.kelurahan_id && r.kelurahan_id) {
      if (v.kelurahan_id !== r.kelurahan_id) continue;
    } else if (v.kecamatan_id !== r.kecamatan_id) continue;
    out.push({
      id: r.id,
      status: r.status,
      received_at: r.received_at,
      description: r.description,
      address: r.address,
      kelurahan_id: r.kelurahan_id,
      distance_m: d,
      reports: r.reports,
    });
  }
  return out;
}

// ---- intake --------------------------------------------------------------------------------------------
export interface IntakeResult {
  incident_id: number;
  report_id: number;
  tracking_code: string;
  merged: boolean;
}

async function step(
  uow: UnitOfWork,
  incidentId: number,
  kind: string,
  at: Date,
  extra: { assignmentId?: number; opdId?: number; note?: string } = {},
) {
  await uow.trx
    .insertInto('cc_event')
    .values({
      pemda_id: uow.actor.pemdaId,
      incident_id: incidentId,
      assignment_id: extra.assignmentId ?? null,
      opd_id: extra.opdId ?? null,
      kind,
      at,
      actor_id: uow.actor.userId || null,
      actor_name: uow.actor.fullName,
      note: extra.note ?? '',
    })
    .execute();
}

interface NewReport {
  source: ReportSource;
  reporter_name?: string;
  reporter_phone?: string;
  reporter_email?: string;
  description: string;
  photo?: { data: Buffer; type: string } | null;
  api_client_id?: number | null;
  token?: string | null;
}

async function addReport(uow: UnitOfWork, incidentId: number, r: NewReport, at: Date) {
  return uow.trx
    .insertInto('cc_report')
    .values({
      pemda_id: uow.actor.pemdaId,
      incident_id: incidentId,
      tracking_code: newTrackingCode(),
      source: r.source,
      reporter_name: r.reporter_name ?? '',
      reporter_phone: r.reporter_phone ?? '',
      reporter_email: r.reporter_email ?? '',
      description: r.description,
      photo: r.photo?.data ?? null,
      photo_type: r.photo?.type ?? null,
      api_client_id: r.api_client_id ?? null,
      token: r.token ?? null,
      received_at: at,
    })
    .returning(['id', 'tracking_code'])
    .executeTakeFirstOrThrow();
}

/** Lock an incident that may still take reports or units (not closed, not merged). */
async function lockOpenIncident(trx: Trx, pemdaId: number, id: number, field = 'incident_id') {
  const inc = await trx
    .selectFrom('cc_incident')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!inc) throw fieldError(field, 'cc.error.incident_unknown');
  if (inc.status === 'merged' || inc.status === 'closed')
    throw new AppError(409, 'conflict', 'cc.error.incident_closed', {}, [
      { field, message: 'cc.error.incident_closed' },
    ]);
  return inc;
}

/**
 * The call-taker's intake. With duplicate candidates and neither `merge_into` nor `confirm_new`,
 * nothing is saved: 409 with the candidates, so the call-taker chooses first.
 */
export async function intake(db: Db, actor: Principal, v: IntakeIn): Promise<IntakeResult> {
  requirePermission(actor, 'cc.intake');
  await checkLocation(db, actor.pemdaId, v);
  const cat = await activeCategory(db, actor.pemdaId, v.category_id);
  if (v.merge_into === undefined && !v.confirm_new) {
    const dups = await findDuplicates(db, actor.pemdaId, v);
    if (dups.length) throw conflict('cc.error.duplicates', { duplicates: dups }, { n: dups.length });
  }
  return createReport(db, actor, { ...v, priority: v.priority ?? cat.priority }, { source: 'call', ...v });
}

/** A citizen's report (web form or Open311): always a new incident; the operator may merge it. */
export async function citizenReport(
  db: Db,
  actor: Principal,
  v: PublicReportIn,
  extra: {
    source: 'web' | 'open311';
    photo?: { data: Buffer; type: string } | null;
    apiClientId?: number;
    token?: string;
  },
): Promise<IntakeResult> {
  requirePermission(actor, 'cc.report.citizen');
  await checkLocation(db, actor.pemdaId, v);
  const cat = await activeCategory(db, actor.pemdaId, v.category_id, true);
  return createReport(
    db,
    actor,
    { ...v, priority: cat.priority },
    {
      source: extra.source,
      reporter_name: v.reporter_name,
      reporter_phone: v.reporter_phone,
      reporter_email: v.reporter_email,
      description: v.description,
      photo: extra.photo,
      api_client_id: extra.apiClientId,
      token: extra.token,
    },
  );
}

async function createReport(
  db: Db,
  actor: Principal,
  v: {
    category_id: number;
    priority: number;
    description: string;
    kecamatan_id: number;
    kelurahan_id?: number;
    address?: string;
    lat?: string;
    lon?: string;
    merge_into?: number;
  },
  report: NewReport,
): Promise<IntakeResult> {
  const now = clock().now();
  return mutate(db, actor, async (uow) => {
    const pemdaId = actor.pemdaId;
    if (v.merge_into !== undefined) {
      const inc = await lockOpenIncident(uow.trx, pemdaId, v.merge_into, 'merge_into');
      const r = await addReport(uow, inc.id, report, now);
      await step(uow, inc.id, 'report_added', now, { note: r.tracking_code });
      await uow.trx
        .updateTable('cc_incident')
        .set({ version: inc.version + 1 })
        .where('pemda_id', '=', pemdaId)
        .where('id', '=', inc.id)
        .execute();
      uow.audit({
        action: 'add_report',
        entity: 'cc_incident',
        entityId: inc.id,
        after: { report_id: r.id, source: report.source },
      });
      await publish(uow.trx, pemdaId, OPS_CHANNEL, { type: 'incident.report', incident_id: inc.id });
      return { incident_id: inc.id, report_id: r.id, tracking_code: r.tracking_code, merged: true };
    }
    const inc = await uow.trx
      .insertInto('cc_incident')
      .values({
        pemda_id: pemdaId,
        category_id: v.category_id,
        priority: v.priority,
        description: v.description,
        kecamatan_id: v.kecamatan_id,
        kelurahan_id: v.kelurahan_id ?? null,
        address: v.address ?? '',
        lat: v.lat ?? null,
        lon: v.lon ?? null,
        received_at: now,
        created_by: actor.fullName,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    const r = await addReport(uow, inc.id, report, now);
    await step(uow, inc.id, 'received', now, { note: report.source });
    uow.audit({
      action: 'create',
      entity: 'cc_incident',
      entityId: inc.id,
      after: { category_id: v.category_id, priority: v.priority, kecamatan_id: v.kecamatan_id, source: report.source },
    });
    await publish(uow.trx, pemdaId, OPS_CHANNEL, { type: 'incident.created', incident_id: inc.id });
    return { incident_id: inc.id, report_id: r.id, tracking_code: r.tracking_code, merged: false };
  });
}

/** Merge one incident into another: its reports (with their reporters and codes) move over. */
export async function mergeIncident(db: Db, actor: Principal, fromId: number, intoId: number): Promise<void> {
  requirePermission(actor, 'cc.dispatch');
  if (fromId === intoId) throw fieldError('into', 'cc.error.merge_self');
  const now = clock().now();
  await mutate(db, actor, async (uow) => {
    const pemdaId = actor.pemdaId;
    // lock in id order: two merges of the same pair cannot deadlock
    const [a, b] = fromId < intoId ? [fromId, intoId] : [intoId, fromId];
    const first = await lockOpenIncident(uow.trx, pemdaId, a, a === fromId ? 'id' : 'into');
    const second = await lockOpenIncident(uow.trx, pemdaId, b, b === fromId ? 'id' : 'into');
    const from = first.id === fromId ? first : second;
    const into = first.id === intoId ? first : second;
    if (from.category_id !== into.category_id) throw fieldError('into', 'cc.error.merge_category');
    const live = await uow.trx
      .selectFrom('cc_assignment')
      .select('id')
      .where('pemda_id', '=', pemdaId)
      .where('incident_id', '=', from.id)
      .where('status', 'not in', ['resolved', 'handed_back'])
      .executeTakeFirst();
    if (live) throw conflict('cc.error.merge_active');
    await uow.trx
      .updateTable('cc_report')
      .set({ incident_id: into.id })
      .where('pemda_id', '=', pemdaId)
      .where('incident_id', '=', from.id)
      .execute();
    await uow.trx
      .updateTable('cc_incident')
      .set({ status: 'merged', merged_into: into.id, version: from.version + 1 })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', from.id)
      .execute();
    await uow.trx
      .updateTable('cc_incident')
      .set({
        version: into.version + 1,
        received_at: from.received_at < into.received_at ? from.received_at : into.received_at,
      })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', into.id)
      .execute();
    await step(uow, from.id, 'merged', now, { note: `#${into.id}` });
    await step(uow, into.id, 'merged_in', now, { note: `#${from.id}` });
    uow.audit({ action: 'merge', entity: 'cc_incident', entityId: from.id, after: { into: into.id } });
    await publish(uow.trx, pemdaId, OPS_CHANNEL, { type: 'incident.merged', incident_id: from.id, into: into.id });
  });
}

// ---- dispatch ------------------------------------------------------------------------------------------
export async function dispatch(db: Db, actor: Principal, incidentId: number, opdIds: number[]): Promise<number[]> {
  requirePermission(actor, 'cc.dispatch');
  const pemdaId = actor.pemdaId;
  const errors = [];
  for (const [i, opdId] of opdIds.entries()) {
    const o = await getOrganisation(db, pemdaId, opdId);
    if (!o || o.kind !== 'opd' || !o.active)
      errors.push({ field: opdIds.length > 1 ? `opd_ids.${i}` : 'opd_ids', message: 'cc.error.opd' });
  }
  if (errors.length) throw badRequest(errors);
  const now = clock().now();
  return mutate(db, actor, async (uow) => {
    const inc = await lockOpenIncident(uow.trx, pemdaId, incidentId, 'id');
    const live = await uow.trx
      .selectFrom('cc_assignment')
      .select('opd_id')
      .where('pemda_id', '=', pemdaId)
      .where('incident_id', '=', inc.id)
      .where('status', '<>', 'handed_back')
      .execute();
    const already = opdIds.filter((o) => live.some((l) => l.opd_id === o));
    if (already.length) throw fieldError('opd_ids', 'cc.error.already_assigned');
    const ids: number[] = [];
    for (const opdId of opdIds) {
      const a = await uow.trx
        .insertInto('cc_assignment')
        .values({ pemda_id: pemdaId, incident_id: inc.id, opd_id: opdId, dispatched_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(a.id);
      await step(uow, inc.id, 'dispatched', now, { assignmentId: a.id, opdId });
      uow.audit({ action: 'dispatch', entity: 'cc_assignment', entityId: a.id, opdId, after: { incident_id: inc.id } });
      await publish(uow.trx, pemdaId, opdChannel(opdId), {
        type: 'assignment.new',
        incident_id: inc.id,
        assignment_id: a.id,
      });
    }
    await uow.trx
      .updateTable('cc_incident')
      .set({ status: 'dispatched', dispatched_at: inc.dispatched_at ?? now, version: inc.version + 1 })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', inc.id)
      .execute();
    await publish(uow.trx, pemdaId, OPS_CHANNEL, { type: 'incident.dispatched', incident_id: inc.id, opd_ids: opdIds });
    return ids;
  });
}
