// Live events. A module publishes an event inside the transaction of the change it reports: the
// row goes to core_event and a NOTIFY announces it when (and only if) the transaction commits.
// Each server process holds one EventHub: one LISTEN on the database, fanned out in memory to its
// live clients (Server-Sent Events). A client that reconnects sends Last-Event-ID and replays
// what it missed from core_event, so a restart or a dropped link loses nothing.
import { startPeriodic, type Periodic } from '../periodic.ts';
import { sql } from 'kysely';
import type { Db, DatabaseHandle } from '../db/database.ts';
import type { Trx } from '../audit/audit.ts';

export const EVENT_CHANNEL = 'padu_event';
/** NOTIFY payloads are limited to 8000 bytes; bigger events are announced by id and read back. */
const INLINE_MAX = 6000;

export interface LiveEvent {
  id: string;
  pemdaId: number;
  channel: string;
  at: string;
  payload: Record<string, unknown>;
}

/**
 * Record an event and announce it on commit. Call it with the unit of work's transaction, so the
 * event exists exactly when the change does.
 */
export async function publish(
  q: Db | Trx,
  pemdaId: number,
  channel: string,
  payload: Record<string, unknown>,
): Promise<string> {
  const json = JSON.stringify(payload);
  const inline = json.length <= INLINE_MAX;
  const r = await sql<{ id: string }>`
    WITH e AS (
      INSERT INTO core_event (pemda_id, channel, payload) VALUES (${pemdaId}, ${channel}, ${json}::jsonb)
      RETURNING id, at)
    SELECT e.id, pg_notify(${EVENT_CHANNEL}, json_build_object(
      'i', e.id::text, 'p', ${pemdaId}::int, 'c', ${channel}::text, 'a', e.at,
      'd', CASE WHEN ${inline}::boolean THEN ${json}::jsonb END)::text) AS n
    FROM e`.execute(q);
  return r.rows[0]!.id;
}

/** The events of these channels after `afterId` (oldest first): what a reconnecting client missed. */
export async function eventsSince(
  db: Db,
  pemdaId: number,
  channels: string[],
  afterId: string,
  limit = 1000,
): Promise<LiveEvent[]> {
  if (channels.length === 0) return [];
  const rows = await db
    .selectFrom('core_event')
    .select(['id', 'pemda_id', 'channel', 'at', 'payload'])
    .where('pemda_id', '=', pemdaId)
    .where('channel', 'in', channels)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toEvent);
}

/** The id of the newest event (a fresh client starts after it). */
export async function lastEventId(db: Db, pemdaId: number): Promise<string> {
  const r = await db
    .selectFrom('core_event')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('pemda_id', '=', pemdaId)
    .executeTakeFirst();
  return r?.id ?? '0';
}

/** Events are a live feed, not an archive: drop those older than the given age (the count dropped). */
export async function pruneEvents(db: Db, olderThanDays = 30): Promise<number> {
  const r = await db
    .deleteFrom('core_event')
    .where('at', '<', new Date(Date.now() - olderThanDays * 86_400_000))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * The in-process pruner: every `everyMs` (an hour by default) drop the events older than
 * `olderThanDays`. A reconnecting client replays at most that far back (Last-Event-ID); what
 * happened is kept in the modules' own tables and the audit trail, not in the feed.
 */
export function startEventPruner(
  db: Db,
  opts: { everyMs?: number; olderThanDays?: number; onError: (err: unknown) => void },
): Periodic {
  return startPeriodic(opts.everyMs ?? 3_600_000, () => pruneEvents(db, opts.olderThanDays ?? 30), opts.onError);
}

function toEvent(r: { id: string; pemda_id: number; channel: string; at: Date | string; payload: unknown }): LiveEvent {
  return {
    id: String(r.id),
    pemdaId: r.pemda_id,
    channel: r.channel,
    at: new Date(r.at).toISOString(),
    payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
  };
}

type Listener = (e: LiveEvent) => void;

interface Subscription {
  pemdaId: number;
  channels: Set<string>;
  fn: Listener;
  onClose?: () => void;
}

/** One LISTEN per process, fanned out to the subscribers of each Pemda and channel. */
export class EventHub {
  private readonly subs = new Set<Subscription>();
  private stop: (() => Promise<void>) | null = null;
  private starting: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly handle: DatabaseHandle) {}

  private start(): Promise<void> {
    this.starting ??= this.handle
      .listen(EVENT_CHANNEL, (p) => this.onNotify(p))
      .then((stop) => {
        if (this.closed) void stop();
        else this.stop = stop;
      });
    return this.starting;
  }

  private onNotify(raw: string): void {
    let m: { i: string; p: number; c: string; a: string; d: Record<string, unknown> | null };
    try {
      m = JSON.parse(raw);
    } catch {
      return;
    }
    const targets = [...this.subs].filter((s) => s.pemdaId === m.p && s.channels.has(m.c));
    if (targets.length === 0) return;
    const deliver = (e: LiveEvent) => {
      for (const s of targets) s.fn(e);
    };
    if (m.d) {
      deliver({ id: m.i, pemdaId: m.p, channel: m.c, at: new Date(m.a).toISOString(), payload: m.d });
    } else {
      void this.handle.db
        .selectFrom('core_event')
        .select(['id', 'pemda_id', 'channel', 'at', 'payload'])
        .where('pemda_id', '=', m.p)
        .where('id', '=', m.i)
        .executeTakeFirst()
        .then((r) => r && deliver(toEvent(r)))
        .catch(() => undefined);
    }
  }

  /** Receive the events of these channels of one Pemda; returns the unsubscribe function. */
  async subscribe(pemdaId: number, channels: string[], fn: Listener, onClose?: () => void): Promise<() => void> {
    const sub: Subscription = { pemdaId, channels: new Set(channels), fn, onClose };
    this.subs.add(sub);
    await this.start();
    return () => {
      this.subs.delete(sub);
    };
  }

  get size(): number {
    return this.subs.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const subs = [...this.subs];
    this.subs.clear();
    for (const s of subs) s.onClose?.();
    await this.starting?.catch(() => undefined);
    await this.stop?.();
    this.stop = null;
  }
}
