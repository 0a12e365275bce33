// The sealer: chains the committed audit records of a Pemda, in seq order, into a hash chain and
// writes a signed checkpoint of its head. It runs in every server process every few seconds, and
// before `padu audit verify`; it is idempotent, and several processes may run it at once (an
// advisory lock per Pemda lets one seal and the others skip).
//
// The rule that keeps a rolled-back number apart from a deleted record: the sealer reads the last
// number handed out (H), then the snapshot of running transactions (S), and seals up to H only once
// every transaction in S has ended. A writer gets its transaction id before it takes a number
// (audit.ts), so any number ≤ H belongs to a transaction that had ended or was in S: once those
// have ended, a number ≤ H with no visible record can never get one. The checkpoint lists those
// numbers as gaps; later, a missing number that is not a listed gap is a deleted record.
import { startPeriodic, type Periodic } from '../periodic.ts';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Config } from '../config.ts';
import { GENESIS_HASH, auditSeqName } from './audit.ts';
import { loadAuditSigner, trustedKeys, type AuditSigner } from './key.ts';
import { createHash, type KeyObject } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export interface AuditKeys {
  signer: AuditSigner;
  trusted: Map<string, KeyObject>;
}

const keyCache = new Map<string, AuditKeys>();

/** The signing key and trusted keys of a configuration (loaded, or created, once). */
export function auditKeys(config: Pick<Config, 'auditKeyFile' | 'dataDir' | 'auditTrustedKeyFiles'>): AuditKeys {
  const cacheKey = `${config.auditKeyFile ?? ''}|${config.dataDir}|${config.auditTrustedKeyFiles.join(',')}`;
  let k = keyCache.get(cacheKey);
  if (!k) {
    const signer = loadAuditSigner({ keyFile: config.auditKeyFile, dataDir: config.dataDir });
    k = { signer, trusted: trustedKeys(signer, config.auditTrustedKeyFiles) };
    keyCache.set(cacheKey, k);
  }
  return k;
}

export interface Checkpoint {
  pemda_id: number;
  no: string;
  seq_from: string;
  seq_to: string;
  records: string;
  total: string;
  gaps: string[];
  head: string;
  sealed_at: Date;
  key_id: string;
  signature: string;
}

/** The exact text a checkpoint's signature covers. */
export function checkpointStatement(c: Omit<Checkpoint, 'key_id' | 'signature'>): string {
  return [
    'padu-audit-checkpoint/v1',
    `pemda=${c.pemda_id}`,
    `no=${c.no}`,
    `seq=${c.seq_from}..${c.seq_to}`,
    `records=${c.records}`,
    `total=${c.total}`,
    `gaps=${c.gaps.join(',')}`,
    `head=${c.head}`,
    `sealed_at=${new Date(c.sealed_at).toISOString()}`,
  ].join('\n');
}

/** One link of the seal chain. */
export function chainStep(head: string, seq: string | bigint, recordHash: string): string {
  return createHash('sha256').update(`${head}:${seq}:${recordHash}`).digest('hex');
}

export function rowToCheckpoint(r: Record<string, unknown>): Checkpoint {
  return {
    pemda_id: Number(r.pemda_id),
    no: String(r.no),
    seq_from: String(r.seq_from),
    seq_to: String(r.seq_to),
    records: String(r.records),
    total: String(r.total),
    gaps: parseBigintArray(r.gaps),
    head: String(r.head),
    sealed_at: new Date(r.sealed_at as string),
    key_id: String(r.key_id),
    signature: String(r.signature),
  };
}

function parseBigintArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') {
    const inner = v.replace(/^\{|\}$/g, '');
    return inner ? inner.split(',') : [];
  }
  return [];
}

export async function listCheckpoints(db: Db, pemdaId: number): Promise<Checkpoint[]> {
  const r = await sql<
    Record<string, unknown>
  >`SELECT * FROM core_audit_checkpoint WHERE pemda_id = ${pemdaId} ORDER BY no`.execute(db);
  return r.rows.map(rowToCheckpoint);
}

export async function latestCheckpoint(db: Db, pemdaId: number): Promise<Checkpoint | undefined> {
  const r = await sql<
    Record<string, unknown>
  >`SELECT * FROM core_audit_checkpoint WHERE pemda_id = ${pemdaId} ORDER BY no DESC LIMIT 1`.execute(db);
  return r.rows[0] ? rowToCheckpoint(r.rows[0]) : undefined;
}

/** The last number handed out by the Pemda's audit sequence (0 when none). */
async function lastHandedOut(db: Db, pemdaId: number): Promise<bigint> {
  const r = await sql<{
    last_value: string;
    is_called: boolean;
  }>`SELECT last_value, is_called FROM ${sql.table(auditSeqName(pemdaId))}`.execute(db);
  const row = r.rows[0]!;
  return row.is_called ? BigInt(row.last_value) : BigInt(row.last_value) - 1n;
}

/** Wait until every transaction running when `snapshot` was taken has ended (false on timeout). */
async function waitForSnapshot(db: Db, snapshot: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_snapshot_xip(${snapshot}::pg_snapshot) x
      WHERE pg_xact_status(x) = 'in progress'`.execute(db);
    if (r.rows[0]!.n === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((res) => setTimeout(res, 20));
  }
}

export interface SealResult {
  pemdaId: number;
  /** The checkpoint written, if any (nothing new to seal, or another process sealing: none). */
  checkpoint?: Checkpoint;
  skipped?: 'nothing_new' | 'busy' | 'in_flight';
}

const SEAL_LOCK = 7_270_001;
const PAGE = 5000;
const YIELD_EVERY = 250;

/** Seal the committed records of one Pemda up to the last number handed out. */
export async function sealPemda(
  db: Db,
  pemdaId: number,
  keys: AuditKeys,
  opts: { waitMs?: number } = {},
): Promise<SealResult> {
  const horizon = await lastHandedOut(db, pemdaId);
  const snap = (await sql<{ s: string }>`SELECT pg_current_snapshot()::text AS s`.execute(db)).rows[0]!.s;
  if (!(await waitForSnapshot(db, snap, opts.waitMs ?? 10_000))) return { pemdaId, skipped: 'in_flight' };
  return db.transaction().execute(async (trx) => {
    const got = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${SEAL_LOCK}, ${pemdaId}) AS ok`.execute(
      trx,
    );
    if (!got.rows[0]!.ok) return { pemdaId, skipped: 'busy' as const };
    const prevRow = await sql<
      Record<string, unknown>
    >`SELECT * FROM core_audit_checkpoint WHERE pemda_id = ${pemdaId} ORDER BY no DESC LIMIT 1`.execute(trx);
    const prev = prevRow.rows[0] ? rowToCheckpoint(prevRow.rows[0]) : undefined;
    const from = prev ? BigInt(prev.seq_to) + 1n : 1n;
    if (horizon < from) return { pemdaId, skipped: 'nothing_new' as const };
    let head = prev?.head ?? GENESIS_HASH;
    let expected = from;
    let records = 0n;
    const gaps: string[] = [];
    for (let after = from - 1n; ;) {
      const page = await sql<{ seq: string; hash: string }>`SELECT seq, hash FROM core_audit_log
        WHERE pemda_id = ${pemdaId} AND seq > ${after.toString()} AND seq <= ${horizon.toString()}
        ORDER BY seq LIMIT ${PAGE}`.execute(trx);
      for (const [i, r] of page.rows.entries()) {
        // the sealer runs in the server process: a page of hashing at once would hold up every request
        // in flight for tens of ms in the deadline rush (5,000 records every few seconds)
        if (i > 0 && i % YIELD_EVERY === 0) await yieldToLoop();
        const seq = BigInt(r.seq);
        for (; expected < seq; expected++) gaps.push(expected.toString());
        head = chainStep(head, seq, r.hash);
        records++;
        expected = seq + 1n;
        after = seq;
      }
      if (page.rows.length < PAGE) break;
    }
    for (; expected <= horizon; expected++) gaps.push(expected.toString());
    const body = {
      pemda_id: pemdaId,
      no: ((prev ? BigInt(prev.no) : 0n) + 1n).toString(),
      seq_from: from.toString(),
      seq_to: horizon.toString(),
      records: records.toString(),
      total: ((prev ? BigInt(prev.total) : 0n) + records).toString(),
      gaps,
      head,
      sealed_at: new Date(),
    };
    const checkpoint: Checkpoint = {
      ...body,
      key_id: keys.signer.keyId,
      signature: keys.signer.sign(checkpointStatement(body)),
    };
    await sql`INSERT INTO core_audit_checkpoint (pemda_id, no, seq_from, seq_to, records, total, gaps, head, sealed_at, key_id, signature)
      VALUES (${pemdaId}, ${checkpoint.no}, ${checkpoint.seq_from}, ${checkpoint.seq_to}, ${checkpoint.records}, ${checkpoint.total},
              ${gaps.join(',')}, ${head}, ${checkpoint.sealed_at.toISOString()}::timestamptz,
              ${checkpoint.key_id}, ${checkpoint.signature})`.execute(trx);
    return { pemdaId, checkpoint };
  });
}

/** Seal every Pemda (or one). */
export async function sealAll(
  db: Db,
  keys: AuditKeys,
  opts: { pemdaId?: number; waitMs?: number } = {},
): Promise<SealResult[]> {
  const ids =
    opts.pemdaId !== undefined
      ? [opts.pemdaId]
      : (await db.selectFrom('core_pemda').select('id').orderBy('id').execute()).map((r) => r.id);
  const out: SealResult[] = [];
  for (const id of ids) out.push(await sealPemda(db, id, keys, opts));
  return out;
}

/** The in-process sealer: every `seconds`, seal every Pemda; stop() waits for a running round. */
export function startSealer(db: Db, keys: AuditKeys, seconds: number, onError: (err: unknown) => void): Periodic {
  return startPeriodic(seconds * 1000, () => sealAll(db, keys, { waitMs: 2_000 }), onError);
}
