// Public alerts (Common Alerting Protocol 1.2): the operator publishes an alert for some kecamatan,
// updates it or cancels it; an update or cancellation refers to the alert it replaces, which is
// then superseded. The CAP document lists its area as the kecamatan names, their boundary polygons
// and their Kemendagri codes.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { conflict, fieldError, notFound } from '../../core/errors.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { publish } from '../../core/events/events.ts';
import type { Principal } from '../../core/roles.ts';
import { getPemda } from '../../core/tenancy.ts';
import { listRegions } from '../master-data/index.ts';
import { clock } from './clock.ts';
import type { AlertIn } from './cc.schema.ts';
import type { CapMsgType } from './cc.tables.ts';
import { OPS_CHANNEL } from './incidents.service.ts';
import { rings } from './geo.ts';
import { loadKecamatanGeoJson } from './seed.ts';

export interface Alert {
  id: number;
  identifier: string;
  msg_type: CapMsgType;
  references_id: number | null;
  superseded: boolean;
  event: string;
  category: string;
  urgency: string;
  severity: string;
  certainty: string;
  headline: string;
  description: string;
  instruction: string;
  area_desc: string;
  kecamatan_ids: number[];
  sent_at: Date;
  expires_at: Date | null;
  sender_name: string;
}

const cols = [
  'id',
  'identifier',
  'msg_type',
  'references_id',
  'superseded',
  'event',
  'category',
  'urgency',
  'severity',
  'certainty',
  'headline',
  'description',
  'instruction',
  'area_desc',
  'kecamatan_ids',
  'sent_at',
  'expires_at',
  'sender_name',
] as const;

export const senderOf = (pemdaCode: string) => `cc.${pemdaCode}@padu.go.id`;

async function newIdentifier(db: Db, pemdaId: number, now: Date): Promise<string> {
  const p = await getPemda(db, pemdaId);
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${p?.code ?? pemdaId}-CC-${stamp}-${randomBytes(3).toString('hex').toUpperCase()}`;
}

async function areaOf(db: Db, pemdaId: number, ids: number[]) {
  const kecs = (await listRegions(db, pemdaId, 'kecamatan')).filter((k) => ids.includes(k.id));
  if (kecs.length !== ids.length) throw fieldError('kecamatan_ids', 'cc.error.alert_area');
  return kecs.map((k) => k.name).join(', ');
}

async function write(db: Db, actor: Principal, v: AlertIn, msgType: CapMsgType, ref: Alert | null): Promise<Alert> {
  requirePermission(actor, 'cc.alert.publish');
  const now = clock().now();
  const area = await areaOf(db, actor.pemdaId, v.kecamatan_ids);
  const identifier = await newIdentifier(db, actor.pemdaId, now);
  return mutate(db, actor, async (uow) => {
    if (ref) {
      // supersede exactly once: two operators updating one alert cannot both succeed
      const r = await uow.trx
        .updateTable('cc_alert')
        .set({ superseded: true })
        .where('pemda_id', '=', actor.pemdaId)
        .where('id', '=', ref.id)
        .where('superseded', '=', false)
        .returning('id')
        .executeTakeFirst();
      if (!r) throw conflict('cc.error.alert_superseded');
    }
    const row = await uow.trx
      .insertInto('cc_alert')
      .values({
        pemda_id: actor.pemdaId,
        identifier,
        msg_type: msgType,
        references_id: ref?.id ?? null,
        event: v.event,
        category: v.category,
        urgency: v.urgency,
        severity: v.severity,
        certainty: v.certainty,
        headline: v.headline,
        description: v.description,
        instruction: v.instruction ?? '',
        area_desc: area,
        kecamatan_ids: v.kecamatan_ids,
        sent_at: now,
        expires_at: v.expires_hours ? new Date(now.getTime() + v.expires_hours * 3_600_000) : null,
        sender_name: actor.fullName,
      })
      .returning(cols)
      .executeTakeFirstOrThrow();
    uow.audit({
      action: msgType.toLowerCase(),
      entity: 'cc_alert',
      entityId: row.id,
      after: { identifier, references: ref?.identifier ?? null, headline: v.headline },
    });
    await publish(uow.trx, actor.pemdaId, OPS_CHANNEL, { type: 'alert', alert_id: row.id, msg_type: msgType });
    return row as Alert;
  });
}

export function publishAlert(db: Db, actor: Principal, v: AlertIn): Promise<Alert> {
  return write(db, actor, v, 'Alert', null);
}

async function current(db: Db, pemdaId: number, id: number): Promise<Alert> {
  const a = await getAlert(db, pemdaId, { id });
  if (!a) throw notFound();
  if (a.superseded || a.msg_type === 'Cancel') throw conflict('cc.error.alert_superseded');
  return a;
}

export async function updateAlert(db: Db, actor: Principal, id: number, v: AlertIn): Promise<Alert> {
  requirePermission(actor, 'cc.alert.publish');
  return write(db, actor, v, 'Update', await current(db, actor.pemdaId, id));
}

export async function cancelAlert(db: Db, actor: Principal, id: number, note?: string): Promise<Alert> {
  requirePermission(actor, 'cc.alert.publish');
  const ref = await current(db, actor.pemdaId, id);
  return write(
    db,
    actor,
    {
      event: ref.event,
      category: ref.category as AlertIn['category'],
      urgency: 'Past',
      severity: ref.severity as AlertIn['severity'],
      certainty: ref.certainty as AlertIn['certainty'],
      headline: ref.headline,
      description: note?.trim() || ref.description,
      instruction: '',
      kecamatan_ids: ref.kecamatan_ids,
    },
    'Cancel',
    ref,
  );
}

export async function getAlert(
  db: Db,
  pemdaId: number,
  by: { id?: number; identifier?: string },
): Promise<Alert | undefined> {
  let q = db.selectFrom('cc_alert').select(cols).where('pemda_id', '=', pemdaId);
  if (by.id !== undefined) q = q.where('id', '=', by.id);
  if (by.identifier !== undefined) q = q.where('identifier', '=', by.identifier);
  return (await q.executeTakeFirst()) as Alert | undefined;
}

/** Alerts, newest first; `current`: in force now (not superseded, not a cancellation, not expired). */
export async function listAlerts(
  db: Db,
  pemdaId: number,
  opts: { current?: boolean; limit?: number } = {},
): Promise<Alert[]> {
  let q = db.selectFrom('cc_alert').select(cols).where('pemda_id', '=', pemdaId);
  if (opts.current) {
    const now = clock().now();
    q = q
      .where('superseded', '=', false)
      .where('msg_type', '<>', 'Cancel')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  }
  return (await q
    .orderBy('sent_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 100)
    .execute()) as Alert[];
}

// ---- CAP 1.2 XML ------------------------------------------------------------------------------------------
const esc = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
/** CAP dateTime: no fractions, an explicit offset (never "Z"). */
export const capTime = (d: Date) => new Date(d).toISOString().replace(/\.\d{3}Z$/, '+00:00');

export async function capXml(db: Db, pemdaId: number, a: Alert): Promise<string> {
  const p = await getPemda(db, pemdaId);
  const sender = senderOf(p?.code ?? String(pemdaId));
  const ref = a.references_id ? await getAlert(db, pemdaId, { id: a.references_id }) : undefined;
  const kecs = (await listRegions(db, pemdaId, 'kecamatan')).filter((k) => a.kecamatan_ids.includes(k.id));
  const features = loadKecamatanGeoJson().features;
  const polygons = kecs.flatMap((k) => {
    const f = features.find((x) => x.properties.kode === k.code);
    // CAP polygons are "lat,lon" pairs, closed
    return f ? rings(f).map((r) => r.map(([lon, lat]) => `${lat},${lon}`).join(' ')) : [];
  });
  const el = (name: string, v: string | null | undefined) => (v ? `<${name}>${esc(v)}</${name}>` : '');
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
${el('identifier', a.identifier)}
${el('sender', sender)}
${el('sent', capTime(a.sent_at))}
<status>Actual</status>
${el('msgType', a.msg_type)}
<scope>Public</scope>
${ref ? el('references', `${sender},${ref.identifier},${capTime(ref.sent_at)}`) : ''}
<info>
<language>id-ID</language>
${el('category', a.category)}
${el('event', a.event)}
${el('urgency', a.urgency)}
${el('severity', a.severity)}
${el('certainty', a.certainty)}
${a.expires_at ? el('expires', capTime(a.expires_at)) : ''}
${el('senderName', a.sender_name)}
${el('headline', a.headline)}
${el('description', a.description)}
${el('instruction', a.instruction)}
<area>
${el('areaDesc', a.area_desc)}
${polygons.map((pg) => el('polygon', pg)).join('\n')}
${kecs.map((k) => `<geocode><valueName>KEMENDAGRI</valueName><value>${esc(k.code)}</value></geocode>`).join('\n')}
</area>
</info>
</alert>
`.replace(/\n{2,}/g, '\n');
}

/** An Atom feed of the alerts in force, each linking to its CAP document (the usual CAP index). */
export async function atomFeed(db: Db, pemdaId: number, base: string): Promise<string> {
  const p = await getPemda(db, pemdaId);
  const rows = await listAlerts(db, pemdaId, { limit: 50 });
  const updated = rows[0] ? new Date(rows[0].sent_at).toISOString() : new Date(0).toISOString();
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${esc(base)}/peringatan/feed.xml</id>
<title>${esc(`Peringatan publik ${p?.name ?? ''}`)}</title>
<updated>${updated}</updated>
<link rel="self" href="${esc(base)}/peringatan/feed.xml"/>
${rows
  .map(
    (a) => `<entry>
<id>urn:padu:cap:${esc(a.identifier)}</id>
<title>${esc(`${a.msg_type === 'Alert' ? '' : `[${a.msg_type}] `}${a.headline}`)}</title>
<updated>${new Date(a.sent_at).toISOString()}</updated>
<author><name>${esc(a.sender_name)}</name></author>
<summary>${esc(a.area_desc)}</summary>
<link rel="alternate" type="application/cap+xml" href="${esc(base)}/peringatan/${esc(a.identifier)}.xml"/>
</entry>`,
  )
  .join('\n')}
</feed>
`;
}
