// Server-Sent Events over the EventHub. A client names where it stands (the Last-Event-ID header
// that EventSource sends on reconnect, or `?after=` from the page that opened it); it first gets
// every event it missed from core_event, then the live ones. Subscribing before the replay and
// skipping what the replay already sent means no event falls between the two.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.ts';
import { eventsSince, lastEventId, type EventHub, type LiveEvent } from './events.ts';

export interface StreamOptions {
  pemdaId: number;
  channels: string[];
  /** Drop (null) or reshape an event for this client (e.g. hide what its role may not see). */
  view?: (e: LiveEvent) => Record<string, unknown> | null;
  heartbeatMs?: number;
}

const ID_RE = /^\d{1,19}$/;

/** Where the client stands: Last-Event-ID, else `?after=`, else null (start from now). */
export function resumeId(req: FastifyRequest): string | null {
  const h = req.headers['last-event-id'];
  if (typeof h === 'string' && ID_RE.test(h)) return h;
  const q = (req.query as Record<string, unknown> | undefined)?.after;
  if (typeof q === 'string' && ID_RE.test(q)) return q;
  return null;
}

export async function streamEvents(
  req: FastifyRequest,
  reply: FastifyReply,
  hub: EventHub,
  db: Db,
  opts: StreamOptions,
): Promise<void> {
  const after = resumeId(req) ?? (await lastEventId(db, opts.pemdaId));
  reply.hijack();
  const res = reply.raw;
  const headers: Record<string, string | number | string[]> = {};
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v as string;
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  res.write('retry: 2000\n\n');
  let closed = false;
  const write = (e: LiveEvent) => {
    if (closed) return;
    const data = opts.view ? opts.view(e) : { ...e.payload, channel: e.channel, at: e.at };
    if (data) res.write(`id: ${e.id}\ndata: ${JSON.stringify(data)}\n\n`);
    // a skipped event still moves the client's position on
    else res.write(`id: ${e.id}\n\n`);
  };
  const pending: LiveEvent[] = [];
  let replaying = true;
  const unsubscribe = await hub.subscribe(
    opts.pemdaId,
    opts.channels,
    (e) => {
      if (replaying) pending.push(e);
      else write(e);
    },
    () => {
      end();
      res.end();
    },
  );
  const heartbeat = setInterval(() => {
    if (!closed) res.write(': ping\n\n');
  }, opts.heartbeatMs ?? 15_000);
  const end = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.raw.on('close', end);
  res.on('close', end);
  res.on('error', end);
  try {
    const sent = new Set<string>();
    let from = after;
    for (;;) {
      const missed = await eventsSince(db, opts.pemdaId, opts.channels, from, 1000);
      for (const e of missed) {
        write(e);
        sent.add(e.id);
      }
      if (missed.length < 1000) break;
      from = missed[missed.length - 1]!.id;
    }
    replaying = false;
    for (const e of pending.splice(0)) if (!sent.has(e.id)) write(e);
  } catch (err) {
    req.log.warn({ err }, 'event replay failed');
    end();
    res.end();
  }
}
