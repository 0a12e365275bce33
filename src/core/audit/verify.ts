// Verifying the audit trail of a Pemda: every record's hash against its content (an edited or
// moved record), every checkpoint's signature against a trusted key, the seal chain recomputed in
// seq order against every checkpoint's head (a deleted or inserted record: a missing number that
// the checkpoint does not list as a gap, or a listed gap that now has a record), and optionally a
// checkpoint kept outside (a file an auditor saved): a rewritten history or a truncated tail, even
// with the checkpoints in the database rewritten or deleted, no longer reaches that head.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { GENESIS_HASH, auditHash, contentHash, recordHash } from './audit.ts';
import { chainStep, checkpointStatement, listCheckpoints, type AuditKeys, type Checkpoint } from './seal.ts';
import { verifySignature } from './key.ts';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first bad record, when not ok. */
  badSeq?: string;
  reason?: string;
  /** Records covered by a checkpoint / the last checkpoint number. */
  sealedThrough?: string;
  checkpoints?: number;
}

/** A checkpoint as published (file or endpoint): what an auditor keeps. */
export interface PublishedCheckpoint extends Omit<Checkpoint, 'sealed_at'> {
  pemda_code?: string;
  sealed_at: string;
  statement: string;
  public_key: string;
}

const PAGE = 5000;

function bad(
  checked: number,
  badSeq: string | undefined,
  reason: string,
  extra: Partial<VerifyResult> = {},
): VerifyResult {
  return { ok: false, checked, badSeq, reason, ...extra };
}

/**
 * Verify one Pemda's trail. `keys` gives the trusted public keys (checkpoints signed by another key
 * are refused); `external` is a checkpoint kept outside the database for this Pemda.
 */
export async function verifyAuditChain(
  db: Db,
  pemdaId: number,
  opts: { keys?: Pick<AuditKeys, 'trusted'>; external?: PublishedCheckpoint } = {},
): Promise<VerifyResult> {
  const cps = await listCheckpoints(db, pemdaId);
  // 1. the checkpoints: signed by a trusted key, numbered and contiguous
  let prevCp: Checkpoint | undefined;
  for (const c of cps) {
    if (opts.keys) {
      const pub = opts.keys.trusted.get(c.key_id);
      if (!pub) return bad(0, c.seq_to, `checkpoint ${c.no} is signed by an unknown key ${c.key_id}`);
      if (!verifySignature(pub, checkpointStatement(c), c.signature))
        return bad(0, c.seq_to, `checkpoint ${c.no} has a bad signature (rewritten)`);
    }
    const expectNo = prevCp ? BigInt(prevCp.no) + 1n : 1n;
    const expectFrom = prevCp ? BigInt(prevCp.seq_to) + 1n : 1n;
    if (BigInt(c.no) !== expectNo || BigInt(c.seq_from) !== expectFrom)
      return bad(0, c.seq_from, `checkpoint ${expectNo} is missing or out of order`);
    prevCp = c;
  }
  const ext = opts.external;
  if (ext) {
    if (ext.pemda_id !== pemdaId) return bad(0, undefined, 'the checkpoint file is for another Pemda');
    if (opts.keys) {
      const pub = opts.keys.trusted.get(ext.key_id);
      if (!pub) return bad(0, ext.seq_to, `the checkpoint file is signed by an unknown key ${ext.key_id}`);
      if (!verifySignature(pub, checkpointStatement({ ...ext, sealed_at: new Date(ext.sealed_at) }), ext.signature))
        return bad(0, ext.seq_to, 'the checkpoint file has a bad signature');
    }
    const same = cps.find((c) => c.no === ext.no);
    if (!same)
      return bad(
        0,
        ext.seq_to,
        `checkpoint ${ext.no} of the file (records up to #${ext.seq_to}) is missing from the database: the history was truncated`,
      );
    if (same.head !== ext.head || same.seq_to !== ext.seq_to || same.total !== ext.total)
      return bad(
        0,
        ext.seq_to,
        `checkpoint ${ext.no} in the database differs from the file: the history was rewritten`,
      );
  }

  // 2. the records, in seq order, against their hashes and the checkpoints' chain
  let cpIdx = 0;
  let cp = cps[0];
  let gapSet = new Set(cp?.gaps ?? []);
  let head = GENESIS_HASH;
  let total = 0n;
  let expected = 1n;
  let checked = 0;
  let legacyPrev = GENESIS_HASH;
  // close every checkpoint whose range ends before `upTo` (numbers up to upTo - 1 are all seen)
  const closeUpTo = (upTo: bigint): VerifyResult | null => {
    while (cp && BigInt(cp.seq_to) < upTo) {
      for (let s = expected; s <= BigInt(cp.seq_to); s++)
        if (!gapSet.has(s.toString())) return bad(checked, s.toString(), `record #${s} is missing (deleted)`);
      if (expected <= BigInt(cp.seq_to)) expected = BigInt(cp.seq_to) + 1n;
      if (head !== cp.head || total !== BigInt(cp.total))
        return bad(checked, cp.seq_to, `the records up to #${cp.seq_to} do not match checkpoint ${cp.no}`);
      cpIdx++;
      cp = cps[cpIdx];
      gapSet = new Set(cp?.gaps ?? []);
    }
    return null;
  };
  for (let after = 0n; ;) {
    const rows = await db
      .selectFrom('core_audit_log')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('seq', '>', after.toString())
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const r of rows) {
      const seq = BigInt(r.seq);
      const closed = closeUpTo(seq);
      if (closed) return closed;
      if (cp) {
        // numbers skipped inside a sealed range must be listed gaps; a record on a listed gap was added later
        for (let s = expected; s < seq; s++)
          if (!gapSet.has(s.toString())) return bad(checked, s.toString(), `record #${s} is missing (deleted)`);
        if (gapSet.has(r.seq)) return bad(checked, r.seq, `record #${r.seq} was added after it was sealed as a gap`);
      }
      const content = {
        pemda_id: r.pemda_id,
        at: new Date(r.at).toISOString(),
        actor_id: r.actor_id,
        actor_name: r.actor_name,
        action: r.action,
        entity: r.entity,
        entity_id: r.entity_id,
        opd_id: r.opd_id,
        before: r.before ?? null,
        after: r.after ?? null,
      };
      if (r.prev_hash !== null) {
        // a record of the chained design (before migration core/0002)
        if (auditHash({ ...content, seq: r.seq, prev_hash: r.prev_hash }) !== r.hash)
          return bad(checked, r.seq, 'content does not match its hash (edited)');
        if (r.prev_hash !== legacyPrev)
          return bad(checked, r.seq, 'prev_hash does not match the previous record (deleted or reordered)');
        legacyPrev = r.hash;
      } else if (recordHash(contentHash(content), r.seq) !== r.hash) {
        return bad(checked, r.seq, 'content does not match its hash (edited or moved)');
      }
      head = chainStep(head, r.seq, r.hash);
      total++;
      expected = seq + 1n;
      after = seq;
      checked++;
    }
    if (rows.length < PAGE) break;
  }
  // the sealed ranges past the last record: every number there must be a listed gap
  const tail = closeUpTo(BigInt(Number.MAX_SAFE_INTEGER));
  if (tail) {
    if (tail.reason?.includes('missing')) {
      const lastCp = cps.at(-1)!;
      return bad(
        tail.checked,
        tail.badSeq,
        `records after #${expected - 1n} up to #${lastCp.seq_to} are missing (truncated)`,
      );
    }
    return tail;
  }
  const last = cps.at(-1);
  return { ok: true, checked, sealedThrough: last?.seq_to ?? '0', checkpoints: cps.length };
}

/** The latest checkpoint of a Pemda as published (with the statement signed and the public key). */
export function publishCheckpoint(c: Checkpoint, publicKeyPem: string, pemdaCode?: string): PublishedCheckpoint {
  return {
    ...c,
    pemda_code: pemdaCode,
    sealed_at: c.sealed_at.toISOString(),
    statement: checkpointStatement(c),
    public_key: publicKeyPem,
  };
}

/** Count the records of a Pemda (for messages). */
export async function countAudit(db: Db, pemdaId: number): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM core_audit_log WHERE pemda_id = ${pemdaId}`.execute(
    db,
  );
  return r.rows[0]!.n;
}
