// Reading the audit trail (the writing side is core/audit: every mutation appends there).
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Selectable } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import type { AuditLogTable } from '../../core/db/schema.ts';

export const auditFilterSchema = z.object({
  opd_id: intIn(z.number().int().positive().optional()).or(z.literal('').transform(() => undefined)),
  actor_id: intIn(z.number().int().positive().optional()).or(z.literal('').transform(() => undefined)),
  entity: z
    .string()
    .max(60)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  from: z.iso
    .date()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  to: z.iso
    .date()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  limit: intIn(z.number().int().min(1).max(500).default(50)),
  before_seq: intIn(z.number().int().positive().optional()),
});
export type AuditFilter = z.output<typeof auditFilterSchema>;

/** An audit record as read (the chain fields pemda_id and prev_hash left out). */
export type AuditRow = Omit<Selectable<AuditLogTable>, 'pemda_id' | 'prev_hash'>;

/** Newest first, keyset-paginated by seq (stable under concurrent appends). */
export async function queryAudit(db: Db, pemdaId: number, f: AuditFilter): Promise<AuditRow[]> {
  let q = db
    .selectFrom('core_audit_log')
    .select([
      'seq',
      'at',
      'actor_id',
      'actor_name',
      'action',
      'entity',
      'entity_id',
      'opd_id',
      'before',
      'after',
      'hash',
    ])
    .where('pemda_id', '=', pemdaId);
  if (f.opd_id) q = q.where('opd_id', '=', f.opd_id);
  if (f.actor_id) q = q.where('actor_id', '=', f.actor_id);
  if (f.entity) q = q.where('entity', '=', f.entity);
  if (f.from) q = q.where('at', '>=', new Date(`${f.from}T00:00:00`));
  if (f.to) q = q.where('at', '<', new Date(new Date(`${f.to}T00:00:00`).getTime() + 86_400_000));
  if (f.before_seq) q = q.where('seq', '<', String(f.before_seq));
  const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute();
  return rows;
}

export async function auditEntities(db: Db, pemdaId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('core_audit_log')
    .select('entity')
    .distinct()
    .where('pemda_id', '=', pemdaId)
    .orderBy('entity')
    .execute();
  return rows.map((r) => r.entity);
}

/** The keys whose values differ between before and after (for a compact display). */
export function changedKeys(before: unknown, after: unknown): string[] {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
  return [...keys].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).sort();
}
