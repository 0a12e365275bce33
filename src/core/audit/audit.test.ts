// The audit trail: every mutation leaves a record in its transaction; the log is append-only; the
// sealer chains committed records into signed checkpoints; verify finds an edited, deleted,
// reordered record, a truncated tail against a kept checkpoint, and stays green under concurrent
// writers of many OPD with rolled-back transactions in between.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, usingPostgres, type TestContext } from '../../testing/harness.ts';
import { mutate } from './audit.ts';
import { auditKeys, latestCheckpoint, listCheckpoints, sealAll, sealPemda, type AuditKeys } from './seal.ts';
import { publishCheckpoint, verifyAuditChain, type PublishedCheckpoint } from './verify.ts';
import type { Principal } from '../roles.ts';

let t: TestContext;
let keys: AuditKeys;
before(async () => {
  t = await testApp();
  keys = auditKeys(t.config);
});
after(async () => t?.close());

const seal = () => sealAll(t.db, keys, { pemdaId: t.pemdaId });
const verify = (external?: PublishedCheckpoint) => verifyAuditChain(t.db, t.pemdaId, { keys, external });

/** What someone with the database owner's rights can do: switch the append-only triggers off. */
async function asOwner(fn: () => Promise<unknown>): Promise<void> {
  await sql`ALTER TABLE core_audit_log DISABLE TRIGGER USER`.execute(t.db);
  await sql`ALTER TABLE core_audit_checkpoint DISABLE TRIGGER USER`.execute(t.db);
  try {
    await fn();
  } finally {
    await sql`ALTER TABLE core_audit_log ENABLE TRIGGER USER`.execute(t.db);
    await sql`ALTER TABLE core_audit_checkpoint ENABLE TRIGGER USER`.execute(t.db);
  }
}

const recordAt = (seq: string) =>
  t.db
    .selectFrom('core_audit_log')
    .selectAll()
    .where('pemda_id', '=', t.pemdaId)
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow();

function actor(opdId: number | null, i = 0): Principal {
  return {
    via: 'cli',
    userId: 0,
    username: `writer.${opdId ?? 'x'}.${i}`,
    fullName: 'Writer',
    role: 'admin',
    opdId,
    regionId: null,
    pemdaId: t.pemdaId,
  };
}

test('every mutation appends a record in its transaction; a refused one leaves none', async () => {
  const admin = await t.as('admin');
  const res = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: admin,
    payload: { username: 'audit.me', password: 'kopi susu gula aren', full_name: 'Audit Me', role: 'dprd' },
  });
  assert.equal(res.statusCode, 201);
  const rows = await t.db
    .selectFrom('core_audit_log')
    .selectAll()
    .where('pemda_id', '=', t.pemdaId)
    .where('entity', '=', 'user')
    .where('action', '=', 'create')
    .orderBy('seq', 'desc')
    .limit(1)
    .execute();
  assert.equal((rows[0]!.after as { username: string }).username, 'audit.me');
  assert.equal(rows[0]!.actor_name, 'admin');
  assert.equal(rows[0]!.prev_hash, null, 'a record of the sealed design');

  const count = async () =>
    (
      await t.db
        .selectFrom('core_audit_log')
        .select((e) => e.fn.countAll<string>().as('n'))
        .where('pemda_id', '=', t.pemdaId)
        .executeTakeFirstOrThrow()
    ).n;
  const n0 = await count();
  const dup = await t.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: admin,
    payload: { username: 'audit.me', password: 'kopi susu gula aren', full_name: 'Again', role: 'dprd' },
  });
  assert.equal(dup.statusCode, 400);
  assert.equal(await count(), n0);

  const [r] = await seal();
  assert.ok(r!.checkpoint, 'sealed');
  const v = await verify();
  assert.equal(v.ok, true, v.reason);
  assert.ok(v.checked >= Number(n0));
  // sealing again with nothing new writes nothing
  const [again] = await seal();
  assert.equal(again!.skipped, 'nothing_new');
});

test('the log and its checkpoints refuse UPDATE, DELETE and TRUNCATE', async () => {
  for (const stmt of [
    sql`UPDATE core_audit_log SET actor_name = 'x' WHERE pemda_id = ${t.pemdaId}`,
    sql`DELETE FROM core_audit_log WHERE pemda_id = ${t.pemdaId}`,
    sql`TRUNCATE core_audit_log`,
    sql`UPDATE core_audit_checkpoint SET head = 'x'`,
    sql`DELETE FROM core_audit_checkpoint`,
    sql`TRUNCATE core_audit_checkpoint`,
  ]) {
    await assert.rejects(stmt.execute(t.db), /append-only/);
  }
  assert.equal((await verify()).ok, true);
});

test('a Pemda is never deleted: its audit trail refers to it (no foreign key: no lock on its row per write)', async () => {
  const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM core_pemda`.execute(t.db);
  await assert.rejects(sql`DELETE FROM core_pemda WHERE id = ${t.pemdaId}`.execute(t.db), /deactivated, never deleted/);
  const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM core_pemda`.execute(t.db);
  assert.equal(after.rows[0]!.n, before.rows[0]!.n);
  // an audit record needs its Pemda's number sequence, which exists only for a Pemda that was added
  await assert.rejects(sql`SELECT nextval('core_audit_seq_999999'::regclass)`.execute(t.db), /does not exist/);
});

test('a rolled-back transaction leaves a gap that the checkpoint lists; verify stays green', async () => {
  await assert.rejects(
    mutate(t.db, actor(null), async (uow) => {
      uow.audit({ action: 'x', entity: 'test', entityId: 1 });
      // the records are inserted just before commit: fail after that, inside the transaction
      await sql`SELECT 1`.execute(uow.trx);
      throw new Error('rollback');
    }),
  );
  // a rollback after the audit insert: make the insert happen, then fail at commit time
  await assert.rejects(
    t.db.transaction().execute(async (trx) => {
      await sql`SELECT nextval(${`core_audit_seq_${t.pemdaId}`}::regclass)`.execute(trx);
      throw new Error('rollback after taking a number');
    }),
  );
  await mutate(t.db, actor(null), async (uow) => uow.audit({ action: 'after_gap', entity: 'test', entityId: 2 }));
  const [r] = await seal();
  assert.ok(r!.checkpoint);
  assert.equal(r!.checkpoint!.gaps.length, 1, 'one number never committed');
  const v = await verify();
  assert.equal(v.ok, true, v.reason);
});

test('an edited, a moved (reordered), a deleted record and a record written into a gap are found and named', async () => {
  await seal();
  const seqs = (
    await t.db.selectFrom('core_audit_log').select('seq').where('pemda_id', '=', t.pemdaId).orderBy('seq').execute()
  ).map((r) => r.seq);
  assert.ok(seqs.length >= 4);
  const victim = seqs.at(-2)!;
  const original = await recordAt(victim);

  // edit: content changed, hash left
  await asOwner(() =>
    sql`UPDATE core_audit_log SET actor_name = 'someone else' WHERE pemda_id = ${t.pemdaId} AND seq = ${victim}`.execute(
      t.db,
    ),
  );
  let r = await verify();
  assert.equal(r.ok, false);
  assert.equal(r.badSeq, victim);
  assert.match(r.reason!, /edited/);
  await asOwner(() =>
    sql`UPDATE core_audit_log SET actor_name = ${original.actor_name} WHERE pemda_id = ${t.pemdaId} AND seq = ${victim}`.execute(
      t.db,
    ),
  );
  assert.equal((await verify()).ok, true);

  // reorder: swap the numbers of two records (each keeps its own hash)
  const a = seqs.at(-3)!;
  const b = seqs.at(-2)!;
  await asOwner(async () => {
    await sql`UPDATE core_audit_log SET seq = -1 WHERE pemda_id = ${t.pemdaId} AND seq = ${a}`.execute(t.db);
    await sql`UPDATE core_audit_log SET seq = ${a} WHERE pemda_id = ${t.pemdaId} AND seq = ${b}`.execute(t.db);
    await sql`UPDATE core_audit_log SET seq = ${b} WHERE pemda_id = ${t.pemdaId} AND seq = -1`.execute(t.db);
  });
  r = await verify();
  assert.equal(r.ok, false);
  assert.equal(r.badSeq, a);
  assert.match(r.reason!, /edited or moved/);
  await asOwner(async () => {
    await sql`UPDATE core_audit_log SET seq = -1 WHERE pemda_id = ${t.pemdaId} AND seq = ${a}`.execute(t.db);
    await sql`UPDATE core_audit_log SET seq = ${a} WHERE pemda_id = ${t.pemdaId} AND seq = ${b}`.execute(t.db);
    await sql`UPDATE core_audit_log SET seq = ${b} WHERE pemda_id = ${t.pemdaId} AND seq = -1`.execute(t.db);
  });
  assert.equal((await verify()).ok, true);

  // edit and recompute the record's own hash (as an insider would): the seal chain does not match
  const forged = { ...original, actor_name: 'someone else' };
  const { contentHash, recordHash } = await import('./audit.ts');
  const h = recordHash(
    contentHash({
      pemda_id: forged.pemda_id,
      at: new Date(forged.at).toISOString(),
      actor_id: forged.actor_id,
      actor_name: forged.actor_name,
      action: forged.action,
      entity: forged.entity,
      entity_id: forged.entity_id,
      opd_id: forged.opd_id,
      before: forged.before ?? null,
      after: forged.after ?? null,
    }),
    victim,
  );
  await asOwner(() =>
    sql`UPDATE core_audit_log SET actor_name = 'someone else', hash = ${h} WHERE pemda_id = ${t.pemdaId} AND seq = ${victim}`.execute(
      t.db,
    ),
  );
  r = await verify();
  assert.equal(r.ok, false);
  assert.match(r.reason!, /do not match checkpoint/);
  await asOwner(() =>
    sql`UPDATE core_audit_log SET actor_name = ${original.actor_name}, hash = ${original.hash} WHERE pemda_id = ${t.pemdaId} AND seq = ${victim}`.execute(
      t.db,
    ),
  );
  assert.equal((await verify()).ok, true);

  // delete a sealed record: its number is not a listed gap
  await asOwner(() => sql`DELETE FROM core_audit_log WHERE pemda_id = ${t.pemdaId} AND seq = ${victim}`.execute(t.db));
  r = await verify();
  assert.equal(r.ok, false);
  assert.equal(r.badSeq, victim);
  assert.match(r.reason!, /missing \(deleted\)/);
  await asOwner(() =>
    sql`INSERT INTO core_audit_log SELECT * FROM json_populate_record(NULL::core_audit_log, ${JSON.stringify(original)}::json)`.execute(
      t.db,
    ),
  );
  assert.equal((await verify()).ok, true);

  // a record slipped into a sealed gap
  const gap = (await listCheckpoints(t.db, t.pemdaId)).flatMap((c) => c.gaps)[0];
  assert.ok(gap, 'the gap of the previous test');
  await asOwner(() =>
    sql`INSERT INTO core_audit_log SELECT * FROM json_populate_record(NULL::core_audit_log, ${JSON.stringify({ ...original, seq: gap })}::json)`.execute(
      t.db,
    ),
  );
  r = await verify();
  assert.equal(r.ok, false);
  assert.equal(r.badSeq, gap);
  await asOwner(() => sql`DELETE FROM core_audit_log WHERE pemda_id = ${t.pemdaId} AND seq = ${gap}`.execute(t.db));
  assert.equal((await verify()).ok, true);
});

test('a truncated tail: found by the checkpoints, and against a kept checkpoint even when they are deleted too', async () => {
  for (let i = 0; i < 3; i++)
    await mutate(t.db, actor(null), async (uow) => uow.audit({ action: 'tail', entity: 'test', entityId: i }));
  await seal();
  const kept = publishCheckpoint((await latestCheckpoint(t.db, t.pemdaId))!, keys.signer.publicKeyPem);
  assert.equal((await verify(kept)).ok, true);
  const cut = (BigInt(kept.seq_to) - 2n).toString();

  // delete the last records only: the checkpoint in the database still covers them
  await asOwner(() => sql`DELETE FROM core_audit_log WHERE pemda_id = ${t.pemdaId} AND seq >= ${cut}`.execute(t.db));
  let r = await verify();
  assert.equal(r.ok, false);
  assert.match(r.reason!, /missing/);

  // … and the checkpoints that cover them: the database alone looks consistent …
  await asOwner(() =>
    sql`DELETE FROM core_audit_checkpoint WHERE pemda_id = ${t.pemdaId} AND seq_to >= ${cut}`.execute(t.db),
  );
  r = await verify();
  assert.equal(r.ok, true, 'without a kept checkpoint, a deleted tail and its checkpoints cannot be seen');
  // … but not against the checkpoint the auditor kept
  r = await verify(kept);
  assert.equal(r.ok, false);
  assert.match(r.reason!, /truncated/);

  // a rewritten history re-sealed with another key: signatures refused
  const { loadAuditSigner } = await import('./key.ts');
  const os = await import('node:os');
  const path = await import('node:path');
  const other = loadAuditSigner({ dataDir: path.join(os.tmpdir(), `padu-other-key-${process.pid}`) });
  const resealed = await sealPemda(t.db, t.pemdaId, { signer: other, trusted: new Map() });
  assert.ok(resealed.checkpoint, JSON.stringify(resealed));
  r = await verify();
  assert.equal(r.ok, false);
  assert.match(r.reason!, /unknown key/);
});

test(`concurrent writers of many OPD, with rollbacks and sealers running between them, verify green (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, async () => {
  // a fresh database for this test (the previous one was tampered with on purpose)
  const fresh = await testApp();
  try {
    const opds = (
      await fresh.db
        .selectFrom('md_organisation')
        .select('id')
        .where('pemda_id', '=', fresh.pemdaId)
        .limit(20)
        .execute()
    ).map((o) => o.id);
    assert.ok(opds.length >= 5);
    const writers: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const opdId = opds[i % opds.length]!;
      const p = { ...actor(opdId, i), pemdaId: fresh.pemdaId } as Principal;
      writers.push(
        mutate(fresh.db, p, async (uow) => {
          uow.audit({ action: 'save', entity: 'test_line', entityId: i, opdId, after: { i, opdId } });
          uow.audit({ action: 'save2', entity: 'test_line', entityId: i, opdId });
          if (i % 17 === 0) throw new Error('refused');
        }).catch((e) => {
          if ((e as Error).message !== 'refused') throw e;
        }),
      );
      if (i % 50 === 25) writers.push(sealAll(fresh.db, keys, { pemdaId: fresh.pemdaId }));
    }
    await Promise.all(writers);
    await sealAll(fresh.db, keys, { pemdaId: fresh.pemdaId });
    const r = await verifyAuditChain(fresh.db, fresh.pemdaId, { keys });
    assert.equal(r.ok, true, r.reason);
    const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM core_audit_log
      WHERE pemda_id = ${fresh.pemdaId} AND entity = 'test_line'`.execute(fresh.db);
    assert.equal(n.rows[0]!.n, 2 * (200 - Math.ceil(200 / 17)), 'every committed record, none of the refused');
    const cps = await listCheckpoints(fresh.db, fresh.pemdaId);
    assert.equal(
      cps.at(-1)!.seq_to,
      (
        await sql<{
          m: string;
        }>`SELECT max(seq)::text AS m FROM core_audit_log WHERE pemda_id = ${fresh.pemdaId}`.execute(fresh.db)
      ).rows[0]!.m,
    );
  } finally {
    await fresh.close();
  }
});

test('canonicalOf renders what canonicalJson renders after the JSON round trip (the hash of a record does not change)', async () => {
  const { canonicalJson, canonicalOf } = await import('./audit.ts');
  const roundTrip = (v: unknown) =>
    v === undefined ? null : JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
  class Plain {
    a = 1;
    b = undefined;
  }
  const values: unknown[] = [
    undefined,
    null,
    0,
    -0,
    1.5,
    Number.NaN,
    'teks "kutip" \n baris',
    123456789012345678901234567890n,
    new Date('2026-11-30T12:00:00.123Z'),
    { z: 1, a: { y: [1, undefined, () => 1, { b: 2, a: null }], x: undefined }, m: 10n, é: 'ü', '10': 1, '9': 2 },
    [undefined, null, new Date(0), [], {}],
    new Plain(),
    new Map([['k', 1]]),
    { nested: { toJSON: () => ({ b: 1, a: 2 }) } },
  ];
  for (const v of values) assert.equal(canonicalOf(v) ?? 'null', canonicalJson(roundTrip(v)), `for ${String(v)}`);
});
