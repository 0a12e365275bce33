// Read side of the audit log for modules: "who last touched entity X", without a module querying
// core_audit_log itself (modules query only their own tables; see docs/architecture.md).
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** The last audit entry of an entity: who did what, when. */
export interface AuditMark {
  actor: string;
  action: string;
  at: Date;
}

interface MarkRow {
  key: string;
  actor_name: string;
  action: string;
  at: Date | string;
}

function toMap(rows: MarkRow[]): Map<string, AuditMark> {
  return new Map(rows.map((r) => [r.key, { actor: r.actor_name, action: r.action, at: new Date(r.at) }]));
}

/** The latest audit entry of each of the given entities of one table (entity id → entry). */
export async function latestAuditOf(
  db: Db,
  pemdaId: number,
  entity: string,
  entityIds: readonly string[],
): Promise<Map<string, AuditMark>> {
  if (entityIds.length === 0) return new Map();
  const r = await sql<MarkRow>`
    SELECT DISTINCT ON (entity_id) entity_id AS key, actor_name, action, at
      FROM core_audit_log
     WHERE pemda_id = ${pemdaId} AND entity = ${entity} AND entity_id = ANY(${[...entityIds]}::text[])
     ORDER BY entity_id, seq DESC`.execute(db);
  return toMap(r.rows);
}

/**
 * The latest deletion, per key, of rows of `entity` whose deleted state had `keyField` among `keys`
 * and matched `where` (field → value, compared as text), optionally within one OPD. Finds who removed
 * a row that no longer exists (key value → entry).
 */
export async function latestDeletionsOf(
  db: Db,
  pemdaId: number,
  entity: string,
  opts: { keyField: string; keys: readonly string[]; where?: Record<string, string | number>; opdId?: number },
): Promise<Map<string, AuditMark>> {
  if (opts.keys.length === 0) return new Map();
  const field = (f: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(f)) throw new Error(`bad audit field name: ${f}`);
    return sql`before->>${sql.lit(f)}`;
  };
  const key = field(opts.keyField);
  const where = Object.entries(opts.where ?? {}).map(([f, v]) => sql` AND ${field(f)} = ${String(v)}`);
  const r = await sql<MarkRow>`
    SELECT DISTINCT ON (${key}) ${key} AS key, actor_name, action, at
      FROM core_audit_log
     WHERE pemda_id = ${pemdaId} AND entity = ${entity} AND action = 'delete'
       ${opts.opdId !== undefined ? sql`AND opd_id = ${opts.opdId}` : sql``}
       AND ${key} = ANY(${[...opts.keys]}::text[])${sql.join(where, sql``)}
     ORDER BY ${key}, seq DESC`.execute(db);
  return toMap(r.rows);
}

/** The audit trail of one entity, newest first. */
export async function entityHistory(
  db: Db,
  pemdaId: number,
  entity: string,
  entityId: string,
  limit = 100,
): Promise<{ seq: string; at: Date; actor: string; action: string; before: unknown; after: unknown }[]> {
  const rows = await db
    .selectFrom('core_audit_log')
    .select(['seq', 'at', 'actor_name', 'action', 'before', 'after'])
    .where('pemda_id', '=', pemdaId)
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: String(r.seq),
    at: new Date(r.at as unknown as string),
    actor: r.actor_name,
    action: r.action,
    before: r.before,
    after: r.after,
  }));
}
