import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { verifyAuditChain } from './audit.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

test('every mutation appends a chained audit record in its transaction', async () => {
  const admin = await t.as('admin');
  const before = await verifyAuditChain(t.db, t.pemdaId);
  assert.equal(before.ok, true);
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
  const afterV = await verifyAuditChain(t.db, t.pemdaId);
  assert.equal(afterV.ok, true);
  assert.ok(afterV.checked > before.checked);

  // a refused mutation leaves no audit record and no row
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
});

test('editing, deleting or reordering an audit row by SQL is detected and named', async () => {
  const seqs = (
    await t.db.selectFrom('core_audit_log').select('seq').where('pemda_id', '=', t.pemdaId).orderBy('seq').execute()
  ).map((r) => r.seq);
  assert.ok(seqs.length >= 3);
  const victim = seqs[1]!;

  // edit
  await sql`UPDATE core_audit_log SET actor_name = 'someone else' WHERE pemda_id = ${t.pemdaId} AND seq = ${victim}`.execute(
    t.db,
  );
  let r = await verifyAuditChain(t.db, t.pemdaId);
  assert.equal(r.ok, false);
  assert.equal(r.badSeq, victim);
  assert.match(r.reason!, /edited/);
  const original = await t.db
    .selectFrom('core_audit_log')
    .selectAll()
    .where('pemda_id', '=', t.pemdaId)
    .where('seq', '=', victim)
    .executeTakeFirstOrThrow();

  // delete
  await sql`DELETE FROM core_audit_log WHERE pemda_id = ${t.pemdaId} AND seq = ${victim}`.execute(t.db);
  r = await verifyAuditChain(t.db, t.pemdaId);
  assert.equal(r.ok, false);
  assert.equal(r.badSeq, victim);
  assert.match(r.reason!, /missing/);
  void original;

  // delete the tail: the chain head still knows
  const last = seqs.at(-1)!;
  await sql`DELETE FROM core_audit_log WHERE pemda_id = ${t.pemdaId} AND seq >= ${seqs[2]!}`.execute(t.db);
  await sql`DELETE FROM core_audit_log WHERE pemda_id = ${t.pemdaId} AND seq < ${seqs[2]!}`.execute(t.db);
  r = await verifyAuditChain(t.db, t.pemdaId);
  assert.equal(r.ok, false);
  assert.match(r.reason!, new RegExp(`up to #${last}`));
});
