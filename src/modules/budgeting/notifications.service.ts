// In-app notifications of the budget workflow: each is addressed to a role (and, for OPD roles, to
// one OPD, or to every OPD when none is given); each user marks what they have read.
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx } from '../../core/audit/audit.ts';
import type { Principal, Role } from '../../core/roles.ts';
import { isOpdScoped } from '../../core/roles.ts';

export interface NotifyInput {
  roles: Role[];
  /** The OPD concerned: OPD roles of this OPD only receive it. */
  opdId?: number | null;
  key: string;
  params?: Record<string, string | number>;
  link?: string;
  stageId?: number | null;
  subKegiatanId?: number | null;
}

/** Add notifications in the caller's transaction (they appear only if the change commits). */
export async function notify(trx: Trx, actor: Principal, n: NotifyInput): Promise<void> {
  await trx
    .insertInto('bud_notification')
    .values(
      n.roles.map((role) => ({
        pemda_id: actor.pemdaId,
        audience_role: role,
        audience_opd_id: isOpdScoped(role) ? (n.opdId ?? null) : null,
        message_key: n.key,
        params: JSON.stringify(n.params ?? {}),
        link: n.link ?? '',
        stage_id: n.stageId ?? null,
        opd_id: n.opdId ?? null,
        sub_kegiatan_id: n.subKegiatanId ?? null,
        actor_name: actor.fullName || actor.username,
      })),
    )
    .execute();
}

export interface NotificationOut {
  id: string;
  at: Date;
  message_key: string;
  params: Record<string, string | number>;
  link: string;
  opd_id: number | null;
  sub_kegiatan_id: number | null;
  actor_name: string;
  read: boolean;
}

function audienceOf(db: Db, p: Principal) {
  let q = db
    .selectFrom('bud_notification as n')
    .leftJoin('bud_notification_read as r', (j) =>
      j.onRef('r.pemda_id', '=', 'n.pemda_id').onRef('r.notification_id', '=', 'n.id').on('r.user_id', '=', p.userId),
    )
    .where('n.pemda_id', '=', p.pemdaId)
    .where('n.audience_role', '=', p.role);
  if (isOpdScoped(p.role))
    q = q.where((eb) => eb.or([eb('n.audience_opd_id', 'is', null), eb('n.audience_opd_id', '=', p.opdId ?? -1)]));
  return q;
}

export async function listNotifications(
  db: Db,
  p: Principal,
  opts: { limit?: number; unreadOnly?: boolean } = {},
): Promise<{ rows: NotificationOut[]; unread: number }> {
  let q = audienceOf(db, p);
  if (opts.unreadOnly) q = q.where('r.notification_id', 'is', null);
  const [rows, unread] = await Promise.all([
    q
      .select([
        'n.id',
        'n.at',
        'n.message_key',
        'n.params',
        'n.link',
        'n.opd_id',
        'n.sub_kegiatan_id',
        'n.actor_name',
        sql<boolean>`r.notification_id IS NOT NULL`.as('read'),
      ])
      .orderBy('n.id', 'desc')
      .limit(opts.limit ?? 50)
      .execute(),
    audienceOf(db, p)
      .where('r.notification_id', 'is', null)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    rows: rows.map((r) => ({ ...r, params: (r.params ?? {}) as Record<string, string | number> })),
    unread: Number(unread.n),
  };
}

/** Mark notifications read (all of the user's when `ids` is empty). */
export async function markRead(db: Db, p: Principal, ids: string[]): Promise<number> {
  return mutate(db, p, async (uow) => {
    let q = audienceOf(uow.trx as unknown as Db, p)
      .where('r.notification_id', 'is', null)
      .select('n.id');
    if (ids.length) q = q.where('n.id', 'in', ids);
    const unread = await q.execute();
    if (!unread.length) return 0;
    await uow.trx
      .insertInto('bud_notification_read')
      .values(unread.map((u) => ({ pemda_id: p.pemdaId, user_id: p.userId, notification_id: u.id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    // every 2xx write is audited, reading one's notifications too
    uow.audit({
      action: 'read',
      entity: 'notification',
      entityId: ids.length === 1 ? String(unread[0]!.id) : `user:${p.userId}`,
      opdId: p.opdId,
      after: { notification_ids: unread.map((u) => String(u.id)) },
    });
    return unread.length;
  });
}
