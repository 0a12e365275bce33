// Fixed-window rate limits counted in the database, so that every Padu process serving a Pemda
// sees the same counters (no state in the process).
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { tooMany } from '../errors.ts';

export async function hitRateLimit(
  db: Db,
  pemdaId: number,
  key: string,
  opts: { windowSeconds: number; max: number },
): Promise<void> {
  const now = Date.now();
  const windowStart = new Date(now - (now % (opts.windowSeconds * 1000)));
  const res = await sql<{ hits: number }>`
    INSERT INTO core_rate_limit (pemda_id, key, window_start, hits)
    VALUES (${pemdaId}, ${key}, ${windowStart.toISOString()}, 1)
    ON CONFLICT (pemda_id, key, window_start) DO UPDATE SET hits = core_rate_limit.hits + 1
    RETURNING hits`.execute(db);
  const hits = res.rows[0]?.hits ?? 0;
  if (hits > opts.max) throw tooMany();
}

/** Old windows are useless; prune them now and then (called on login). */
export async function pruneRateLimits(db: Db, olderThanSeconds = 86_400): Promise<void> {
  await db
    .deleteFrom('core_rate_limit')
    .where('window_start', '<', new Date(Date.now() - olderThanSeconds * 1000))
    .execute();
}
