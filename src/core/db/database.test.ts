import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { lockDataDir, openDatabase } from './database.ts';

test('a PGlite data folder held by a live process is refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'padu-lock-'));
  // a lock held by another live process (our parent shell is alive)
  fs.writeFileSync(path.join(dir, 'padu.lock'), String(process.ppid));
  assert.throws(() => lockDataDir(dir), /in use by another Padu process/);
  // a stale lock (dead pid) is taken over
  fs.writeFileSync(path.join(dir, 'padu.lock'), '999999999');
  const release = lockDataDir(dir);
  assert.equal(fs.readFileSync(path.join(dir, 'padu.lock'), 'utf8'), String(process.pid));
  release();
  assert.equal(fs.existsSync(path.join(dir, 'padu.lock')), false);
});

test('PGlite: overlapping transactions are serialised; a rollback never discards another commit', async () => {
  const h = await openDatabase({ kind: 'pglite', dataDir: null });
  try {
    await sql`CREATE TABLE t (v int)`.execute(h.db);
    const slow = h.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO t VALUES (1)`.execute(trx);
      await new Promise((r) => setTimeout(r, 30));
      throw new Error('rollback');
    });
    const other = h.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO t VALUES (2)`.execute(trx);
    });
    await assert.rejects(slow, /rollback/);
    await other;
    const rows = await sql<{ v: number }>`SELECT v FROM t ORDER BY v`.execute(h.db);
    assert.deepEqual(
      rows.rows.map((r) => r.v),
      [2],
    );
  } finally {
    await h.close();
  }
});

test('int8 and numeric come back as decimal strings (exact money)', async () => {
  const h = await openDatabase({ kind: 'pglite', dataDir: null });
  try {
    const r = await sql<{
      a: string;
      b: string;
      c: number;
    }>`SELECT 9007199254740993::int8 AS a, 12.50::numeric AS b, 7::int4 AS c`.execute(h.db);
    assert.deepEqual(r.rows[0], { a: '9007199254740993', b: '12.50', c: 7 });
  } finally {
    await h.close();
  }
});

test('PGlite: a query on the outer handle inside a transaction fails after the wait limit instead of hanging', async () => {
  const before = process.env.PADU_PGLITE_WAIT_MS;
  process.env.PADU_PGLITE_WAIT_MS = '300';
  const h = await openDatabase({ kind: 'pglite', dataDir: null });
  try {
    await assert.rejects(
      h.db.transaction().execute(async () => {
        await sql`select 1`.execute(h.db);
      }),
      /waited 300 ms for the connection/,
    );
    // the connection is usable afterwards: the queued turn was given back
    const r = await sql<{ x: number }>`select 2 as x`.execute(h.db);
    assert.equal(r.rows[0]!.x, 2);
  } finally {
    if (before === undefined) delete process.env.PADU_PGLITE_WAIT_MS;
    else process.env.PADU_PGLITE_WAIT_MS = before;
    await h.close();
  }
});
