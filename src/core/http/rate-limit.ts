// Rate limits counted in the database, so that every Padu process serving a Pemda sees the same
// counters (no state in the process):
//  - fixed windows (`hitRateLimit`): at most `max` hits per key per window;
//  - exponential back-off (`backoffAttempt`): after `free` consecutive failures of a key, each
//    further attempt must wait base·2^n seconds (capped); a success (`backoffReset`) forgets them.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { tooMany } from '../errors.ts';

export interface Window {
  windowSeconds: number;
  max: number;
}

function windowOf(now: number, windowSeconds: number): { start: Date; resetIn: number } {
  const ms = windowSeconds * 1000;
  return { start: new Date(now - (now % ms)), resetIn: Math.ceil((ms - (now % ms)) / 1000) };
}

/** Count one hit of `key`; a 429 (with Retry-After) once the window holds more than `max`. */
export async function hitRateLimit(db: Db, pemdaId: number, key: string, opts: Window): Promise<void> {
  const now = Date.now();
  const w = windowOf(now, opts.windowSeconds);
  const res = await sql<{ hits: number }>`
    INSERT INTO core_rate_limit (pemda_id, key, window_start, hits)
    VALUES (${pemdaId}, ${key}, ${w.start.toISOString()}, 1)
    ON CONFLICT (pemda_id, key, window_start) DO UPDATE SET hits = core_rate_limit.hits + 1
    RETURNING hits`.execute(db);
  const hits = res.rows[0]?.hits ?? 0;
  if (hits > opts.max) throw tooMany('error.rate_limited', w.resetIn);
}

/** Give back a hit counted by `hitRateLimit` (e.g. a log-in that succeeded is not held against the address). */
export async function refundRateLimit(db: Db, pemdaId: number, key: string, opts: Window): Promise<void> {
  const w = windowOf(Date.now(), opts.windowSeconds);
  await sql`UPDATE core_rate_limit SET hits = GREATEST(hits - 1, 0)
    WHERE pemda_id = ${pemdaId} AND key = ${key} AND window_start = ${w.start.toISOString()}`.execute(db);
}

export interface Backoff {
  /** Consecutive failures allowed without any delay. */
  free: number;
  /** Delay after the first failure past `free`, doubled after each further one. */
  baseSeconds: number;
  /** Longest delay (no permanent lock-out). */
  maxSeconds: number;
  /** Failures older than this are forgotten. */
  forgetSeconds: number;
}

/**
 * Take one attempt of `key`: refused with a 429 (Retry-After) while the key is delayed; otherwise
 * the attempt is counted as a failure up front (so parallel attempts cannot slip past the count)
 * and the caller calls `backoffReset` when it succeeds. Atomic on both databases.
 */
export async function backoffAttempt(
  db: Db,
  pemdaId: number,
  key: string,
  opts: Backoff,
  nowMs: number = Date.now(),
): Promise<void> {
  const now = new Date(nowMs).toISOString();
  const forgetBefore = new Date(nowMs - opts.forgetSeconds * 1000).toISOString();
  const nf = sql`(CASE WHEN b.last_at < ${forgetBefore}::timestamptz THEN 1 ELSE b.failures + 1 END)`;
  const delay = (n: ReturnType<typeof sql>) =>
    sql`LEAST(${opts.maxSeconds}::float8, CASE WHEN ${n} < ${opts.free}::int THEN 0
          ELSE ${opts.baseSeconds}::float8 * power(2::float8, ${n} - ${opts.free}::int) END)`;
  const res = await sql<{ failures: number }>`
    INSERT INTO core_backoff AS b (pemda_id, key, failures, last_at, blocked_until)
    VALUES (${pemdaId}, ${key}, 1, ${now}::timestamptz,
            ${now}::timestamptz + make_interval(secs => ${delay(sql`1`)}))
    ON CONFLICT (pemda_id, key) DO UPDATE SET
      failures = ${nf},
      last_at = ${now}::timestamptz,
      blocked_until = ${now}::timestamptz + make_interval(secs => ${delay(nf)})
    WHERE b.blocked_until <= ${now}::timestamptz
    RETURNING b.failures`.execute(db);
  if (res.rows.length) return;
  throw tooMany('error.rate_limited', Math.max(1, await backoffDelay(db, pemdaId, key, nowMs)));
}

/** Seconds before the next attempt of `key` is allowed (0: now). */
export async function backoffDelay(db: Db, pemdaId: number, key: string, nowMs: number = Date.now()): Promise<number> {
  const row = await sql<{ blocked_until: Date | string }>`
    SELECT blocked_until FROM core_backoff WHERE pemda_id = ${pemdaId} AND key = ${key}`.execute(db);
  const until = row.rows[0] ? new Date(row.rows[0].blocked_until).getTime() : nowMs;
  return Math.max(0, Math.ceil((until - nowMs) / 1000));
}

/** The attempt succeeded: forget the key's failures. */
export async function backoffReset(db: Db, pemdaId: number, key: string): Promise<void> {
  await sql`DELETE FROM core_backoff WHERE pemda_id = ${pemdaId} AND key = ${key}`.execute(db);
}

/** Old windows and back-offs are useless; prune them now and then (called on login). */
export async function pruneRateLimits(db: Db, olderThanSeconds = 86_400): Promise<void> {
  const before = new Date(Date.now() - olderThanSeconds * 1000);
  await db.deleteFrom('core_rate_limit').where('window_start', '<', before).execute();
  await sql`DELETE FROM core_backoff WHERE blocked_until < ${before.toISOString()}::timestamptz`.execute(db);
}
