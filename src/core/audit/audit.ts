// The audit trail. Every mutation runs in a unit of work: one transaction whose audit entries are
// inserted just before it commits, each with the next number of its Pemda's audit sequence and
// hash = sha256(content hash ':' seq). Taking a sequence number locks no row, so writers of
// different OPD never wait on one another for the audit trail (the old design chained every
// record to the previous one under a row lock held until commit). The chain that makes the trail
// tamper-evident is built moments later by the sealer (seal.ts) over the committed records, in
// seq order, with signed checkpoints; verify.ts checks both. See docs/audit-design.md.
import { createHash } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { sql, type RawBuilder, type Transaction } from 'kysely';
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

/** Run `fn` in a transaction; its audit entries are inserted before commit, or nothing is. */
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

/** Text already in canonical JSON, written verbatim by {@link canonicalOf}. */
class CanonicalText {
  constructor(readonly json: string) {}
}

/**
 * `canonicalJson(normalise(v))` in one pass, without the JSON round trip (an audit record per line
 * save): toJSON (dates), bigint as a string, undefined and functions dropped from objects and null in
 * arrays, as JSON.stringify does. Objects that are neither plain nor arrays take the round trip.
 */
export function canonicalOf(v: unknown, inArray = false): string | undefined {
  if (v instanceof CanonicalText) return v.json;
  if (typeof v === 'bigint') return `"${v.toString()}"`;
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return inArray ? 'null' : undefined;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function')
    return canonicalOf((v as { toJSON: () => unknown }).toJSON(), inArray);
  if (Array.isArray(v)) return `[${v.map((x) => canonicalOf(x, true)).join(',')}]`;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return canonicalJson(normalise(v));
  const obj = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    const x = canonicalOf(obj[k]);
    if (x !== undefined) parts.push(`${JSON.stringify(k)}:${x}`);
  }
  return `{${parts.join(',')}}`;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** What a record says (everything but its number and hashes). */
export interface ContentFields {
  pemda_id: number;
  at: string;
  actor_id: number | null;
  actor_name: string;
  action: string;
  entity: string;
  entity_id: string;
  opd_id: number | null;
  before: unknown;
  after: unknown;
}

/** Records written before the sealed design (migration core/0002) chained by prev_hash. */
export interface HashedFields extends ContentFields {
  seq: string;
  prev_hash: string;
}

/** The hash of a record of the old, chained design (kept to verify those records). */
export function auditHash(f: HashedFields): string {
  return sha256(canonicalJson(f));
}

export function contentHash(f: ContentFields): string {
  return sha256(canonicalJson(f));
}

/** The hash of a record: its content bound to its number (so moving a record is an edit). */
export function recordHash(content: string, seq: string | bigint): string {
  return sha256(`${content}:${seq}`);
}

/** The sequence of a Pemda's audit numbers (created by a trigger on core_pemda). */
export function auditSeqName(pemdaId: number): string {
  if (!Number.isInteger(pemdaId) || pemdaId <= 0) throw new Error(`bad pemda id ${pemdaId}`);
  return `core_audit_seq_${pemdaId}`;
}

/**
 * One record's values as the statement stores them (before/after as canonical JSON text). Named
 * `audit_…` so that a prepared statement can bind them beside its own values (see auditInStatement).
 */
interface AuditRow {
  audit_actor_id: number | null;
  audit_action: string;
  audit_entity: string;
  audit_entity_id: string;
  audit_opd_id: number | null;
  audit_before: string | null;
  audit_after: string | null;
  /** sha256 of the record's content; the statement binds it to the record's number. */
  audit_ch: string;
}

/** What every record of one statement shares. */
interface AuditHead {
  audit_pemda_id: number;
  /** The name of the Pemda's audit sequence ({@link auditSeqName}), bound as a parameter. */
  audit_seq: string;
  audit_at: string;
  audit_actor_name: string;
}

function auditHead(actor: Principal, at: string): AuditHead {
  return {
    audit_pemda_id: actor.pemdaId,
    audit_seq: auditSeqName(actor.pemdaId),
    audit_at: at,
    audit_actor_name: actor.username,
  };
}

function auditRow(actor: Principal, e: AuditEntry, at: string): AuditRow {
  // before/after rendered once: the same text is stored (jsonb) and hashed
  const before = canonicalOf(e.before) ?? 'null';
  const after = canonicalOf(e.after) ?? 'null';
  const actorId = actor.userId || null;
  const opdId = e.opdId ?? null;
  const entityId = String(e.entityId);
  const content = canonicalOf({
    pemda_id: actor.pemdaId,
    at,
    actor_id: actorId,
    actor_name: actor.username,
    action: e.action,
    entity: e.entity,
    entity_id: entityId,
    opd_id: opdId,
    before: new CanonicalText(before),
    after: new CanonicalText(after),
  } satisfies Record<keyof ContentFields, unknown>)!;
  return {
    audit_actor_id: actorId,
    audit_action: e.action,
    audit_entity: e.entity,
    audit_entity_id: entityId,
    audit_opd_id: opdId,
    audit_before: before === 'null' ? null : before,
    audit_after: after === 'null' ? null : after,
    audit_ch: sha256(content),
  };
}

const rowSql = (r: AuditRow) =>
  sql`(${r.audit_actor_id}::int, ${r.audit_action}, ${r.audit_entity}, ${r.audit_entity_id}, ${r.audit_opd_id}::int,
      ${r.audit_before}::jsonb, ${r.audit_after}::jsonb, ${r.audit_ch})`;

/**
 * The numbered audit rows (CTEs `audit_x`, `audit_n`) and the INSERT that stores them. The values
 * are parameters only, never looked at: a prepared statement builds this once over placeholders.
 */
function auditSql(head: AuditHead, rows: RawBuilder<unknown>[], when?: RawBuilder<unknown>) {
  // No row lock. The transaction gets its id (audit_x) before it takes its numbers, so the sealer,
  // which waits for the transactions it saw in flight, never passes over a number whose record may
  // still commit (see seal.ts).
  const numbered = sql`audit_x AS MATERIALIZED (SELECT pg_current_xact_id() AS xid),
audit_n AS (SELECT v.*, nextval(${head.audit_seq}::regclass) AS seq
      FROM audit_x, (VALUES ${sql.join(rows)}) AS v(actor_id, action, entity, entity_id, opd_id, before, after, ch)
      WHERE audit_x.xid IS NOT NULL${when ? sql` AND ${when}` : sql``})`;
  const insert = sql`INSERT INTO core_audit_log (pemda_id, seq, at, actor_id, actor_name, action, entity, entity_id, opd_id, before, after, prev_hash, hash)
SELECT ${head.audit_pemda_id}::int, audit_n.seq, ${head.audit_at}::timestamptz, audit_n.actor_id, ${head.audit_actor_name}, audit_n.action, audit_n.entity,
       audit_n.entity_id, audit_n.opd_id, audit_n.before, audit_n.after, NULL,
       encode(sha256(convert_to(audit_n.ch || ':' || audit_n.seq, 'UTF8')), 'hex')
FROM audit_n`;
  return { numbered, insert };
}

function auditParts(actor: Principal, entries: AuditEntry[], at: string) {
  return auditSql(
    auditHead(actor, at),
    entries.map((e) => rowSql(auditRow(actor, e, at))),
  );
}

/**
 * Records per INSERT: 8 parameters each stays under PostgreSQL's 65,535 per statement (a bulk import
 * can audit 100,000 changes), and hashing one slice holds the event loop only briefly.
 */
const AUDIT_SLICE = 2_000;

async function appendAudit(trx: Trx, actor: Principal, entries: AuditEntry[]): Promise<void> {
  const at = new Date().toISOString();
  for (let i = 0; i < entries.length; i += AUDIT_SLICE) {
    // slices in order, one statement after the other: the records keep the order of the entries
    if (i > 0) await yieldToLoop();
    const { numbered, insert } = auditParts(actor, entries.slice(i, i + AUDIT_SLICE), at);
    await sql`WITH ${numbered} ${insert}`.execute(trx);
  }
}

/** The values of the audit record written by {@link auditInStatement}. */
export type AuditRecord = AuditHead & AuditRow;

/** The values of `entry`'s audit record, made by `actor` at `at`, for {@link auditInStatement}. */
export function auditRecord(actor: Principal, entry: AuditEntry, at: Date): AuditRecord {
  const iso = at.toISOString();
  return Object.assign(auditHead(actor, iso), auditRow(actor, entry, iso));
}

/**
 * The audit record of a change made by one SQL statement (no explicit transaction: the statement is
 * atomic), as CTEs to put in that statement's WITH list: `audit_x`, `audit_n` and `audit_rows` (the
 * insert). `p` holds the values of {@link auditRecord}, or the placeholders of a prepared statement
 * (core/db/prepared.ts: they are only bound, never looked at). `when` is the condition under which
 * the change happened (e.g. `EXISTS (SELECT 1 FROM ins)` for the statement's insert CTE `ins`): when
 * it is false no record is written and no number taken. The record is the same as {@link mutate}
 * writes; the hot path that uses this (budgeting's line save) needs one round trip instead of
 * BEGIN … COMMIT.
 */
export function auditInStatement(p: AuditRecord, when: RawBuilder<unknown>): RawBuilder<unknown> {
  const { numbered, insert } = auditSql(p, [rowSql(p)], when);
  return sql`${numbered},
audit_rows AS (${insert})`;
}
