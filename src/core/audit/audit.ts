// The audit trail. Every mutation runs in a unit of work: one transaction whose audit entries are
// appended, chained by hash to the previous record of the same Pemda, just before it commits.
// Appending last keeps the per-Pemda chain lock (a row lock on core_audit_head) held only for
// the few milliseconds of the insert, so concurrent savers in the November rush queue briefly.
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { Principal } from '../roles.ts';

export interface AuditEntry {
  action: string; // e.g. "create", "update", "deactivate", "import", "login"
  entity: string; // e.g. "organisation"
  entityId: string | number;
  opdId?: number | null;
  before?: unknown;
  after?: unknown;
}

export type Trx = Transaction<Database>;

export class UnitOfWork {
  readonly entries: AuditEntry[] = [];
  constructor(
    readonly trx: Trx,
    readonly actor: Principal,
  ) {}
  audit(entry: AuditEntry): void {
    this.entries.push(entry);
  }
}

export const GENESIS_HASH = '0'.repeat(64);

/** Run `fn` in a transaction; its audit entries are appended before commit, or nothing is. */
export async function mutate<T>(db: Db, actor: Principal, fn: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const uow = new UnitOfWork(trx, actor);
    const result = await fn(uow);
    await appendAudit(trx, actor, uow.entries);
    return result;
  });
}

function normalise(v: unknown): unknown {
  if (v === undefined) return null;
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
}

/** JSON with object keys sorted at every level: the same value always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const obj = v as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export interface HashedFields {
  pemda_id: number;
  seq: string;
  at: string;
  actor_id: number | null;
  actor_name: string;
  action: string;
  entity: string;
  entity_id: string;
  opd_id: number | null;
  before: unknown;
  after: unknown;
  prev_hash: string;
}

export function auditHash(f: HashedFields): string {
  return createHash('sha256').update(canonicalJson(f)).digest('hex');
}

async function appendAudit(trx: Trx, actor: Principal, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const pemdaId = actor.pemdaId;
  // The chain head row of the Pemda serialises appends: lock it, chain from it, move it.
  const lockHead = () =>
    trx
      .selectFrom('core_audit_head')
      .select(['seq', 'hash'])
      .where('pemda_id', '=', pemdaId)
      .forUpdate()
      .executeTakeFirst();
  let head = await lockHead();
  if (!head) {
    // first record of this Pemda
    await sql`INSERT INTO core_audit_head (pemda_id, seq, hash) VALUES (${pemdaId}, 0, ${GENESIS_HASH})
              ON CONFLICT (pemda_id) DO NOTHING`.execute(trx);
    head = (await lockHead())!;
  }
  let seq = BigInt(head.seq);
  let prev = head.hash;
  const at = new Date().toISOString();
  const rows = entries.map((e) => {
    seq += 1n;
    const fields: HashedFields = {
      pemda_id: pemdaId,
      seq: seq.toString(),
      at,
      actor_id: actor.userId || null,
      actor_name: actor.username,
      action: e.action,
      entity: e.entity,
      entity_id: String(e.entityId),
      opd_id: e.opdId ?? null,
      before: normalise(e.before),
      after: normalise(e.after),
      prev_hash: prev,
    };
    const hash = auditHash(fields);
    prev = hash;
    return {
      ...fields,
      before: fields.before === null ? null : JSON.stringify(fields.before),
      after: fields.after === null ? null : JSON.stringify(fields.after),
      hash,
    };
  });
  // one round trip: append the records and move the head
  await trx
    .with('appended', (db) => db.insertInto('core_audit_log').values(rows))
    .updateTable('core_audit_head')
    .set({ seq: seq.toString(), hash: prev })
    .where('pemda_id', '=', pemdaId)
    .execute();
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first bad record, when not ok. */
  badSeq?: string;
  reason?: string;
}

/**
 * Recompute the chain of one Pemda in order. Finds an edited record (hash mismatch), a deleted or
 * reordered one (sequence gap / prev_hash mismatch) and a deleted tail (head ahead of the log).
 */
export async function verifyAuditChain(db: Db, pemdaId: number): Promise<VerifyResult> {
  let expectedSeq = 1n;
  let prev = GENESIS_HASH;
  let checked = 0;
  let lastSeq = 0n;
  const pageSize = 5000;
  for (;;) {
    const rows = await db
      .selectFrom('core_audit_log')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('seq', '>=', expectedSeq.toString())
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const r of rows) {
      const seq = BigInt(r.seq);
      if (seq !== expectedSeq) {
        return {
          ok: false,
          checked,
          badSeq: expectedSeq.toString(),
          reason: `record #${expectedSeq} is missing (next found: #${seq})`,
        };
      }
      if (r.prev_hash !== prev) {
        return { ok: false, checked, badSeq: r.seq, reason: 'prev_hash does not match the previous record' };
      }
      const computed = auditHash({
        pemda_id: r.pemda_id,
        seq: r.seq,
        at: new Date(r.at).toISOString(),
        actor_id: r.actor_id,
        actor_name: r.actor_name,
        action: r.action,
        entity: r.entity,
        entity_id: r.entity_id,
        opd_id: r.opd_id,
        before: r.before ?? null,
        after: r.after ?? null,
        prev_hash: r.prev_hash,
      });
      if (computed !== r.hash) {
        return { ok: false, checked, badSeq: r.seq, reason: 'content does not match its hash (edited)' };
      }
      prev = r.hash;
      lastSeq = seq;
      expectedSeq += 1n;
      checked++;
    }
    if (rows.length < pageSize) break;
  }
  const head = await db
    .selectFrom('core_audit_head')
    .select(['seq', 'hash'])
    .where('pemda_id', '=', pemdaId)
    .executeTakeFirst();
  if (head && (BigInt(head.seq) !== lastSeq || head.hash !== prev)) {
    return {
      ok: false,
      checked,
      badSeq: (lastSeq + 1n).toString(),
      reason: `records after #${lastSeq} up to #${head.seq} are missing`,
    };
  }
  return { ok: true, checked };
}
