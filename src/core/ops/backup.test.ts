// `padu backup FILE` / `padu restore FILE` round-trip to identical data: every table's row count
// and content digest agree between the source and the restored database.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../db/database.ts';
import { tableDigests } from '../backup.ts';
import { pgliteClone, postgresClone, usingPostgres } from '../../testing/harness.ts';
import { runPadu } from '../../testing/processes.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'padu-backup-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('PGlite: backup of the data folder restores to identical data; restore never overwrites a folder', async () => {
  const src = path.join(tmp, 'src');
  const template = await pgliteClone();
  const blob = await template.dump!();
  await template.close();
  const h0 = await openDatabase({ kind: 'pglite', dataDir: src, loadDataDir: blob });
  await sql`UPDATE md_unit SET name = name || ' (dicadangkan)' WHERE code = 'Orang'`.execute(h0.db);
  const before = await tableDigests(h0.db);
  await h0.close();

  const file = path.join(tmp, 'padu.tar');
  const b = runPadu(['backup', file], { PADU_DATA_DIR: src });
  assert.equal(b.status, 0, b.stderr);
  const dst = path.join(tmp, 'dst');
  const r = runPadu(['restore', file], { PADU_DATA_DIR: dst });
  assert.equal(r.status, 0, r.stderr);
  const again = runPadu(['restore', file], { PADU_DATA_DIR: dst });
  assert.equal(again.status, 1, 'a non-empty data folder is refused');
  assert.match(again.stderr, /not empty/);

  const h1 = await openDatabase({ kind: 'pglite', dataDir: dst });
  const restored = await tableDigests(h1.db);
  await h1.close();
  assert.ok(before.md_unit!.rows > 0 && before.core_audit_log!.rows > 0);
  assert.deepEqual(restored, before);
});

test(
  'PostgreSQL: pg_dump backup restores into another database and over a changed one, identical',
  { skip: usingPostgres ? false : 'TEST_DATABASE_URL is not set' },
  async () => {
    const clone = await postgresClone();
    const other = `${new URL(clone.url).pathname.slice(1)}_r`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      const before = await tableDigests(clone.handle.db);
      const file = path.join(tmp, 'padu.dump');
      const b = runPadu(['backup', file], { DATABASE_URL: clone.url });
      assert.equal(b.status, 0, b.stderr);

      // into a new, empty database
      await admin.query(`CREATE DATABASE ${other}`);
      const otherUrl = Object.assign(new URL(clone.url), { pathname: `/${other}` }).toString();
      const r = runPadu(['restore', file], { DATABASE_URL: otherUrl });
      assert.equal(r.status, 0, r.stderr);
      const h = await openDatabase({ kind: 'postgresql', url: otherUrl });
      assert.deepEqual(await tableDigests(h.db), before);
      // identity sequences come back too: a new row does not collide
      await sql`INSERT INTO md_unit (pemda_id, code, name) SELECT id, 'Baru', 'Baru' FROM core_pemda LIMIT 1`.execute(
        h.db,
      );
      await h.close();

      // over the source after it changed: back to the backup's data exactly
      await sql`DELETE FROM usr_session`.execute(clone.handle.db);
      await sql`UPDATE md_unit SET name = 'diubah'`.execute(clone.handle.db);
      await clone.handle.close();
      const r2 = runPadu(['restore', file], { DATABASE_URL: clone.url });
      assert.equal(r2.status, 0, r2.stderr);
      const h2 = await openDatabase({ kind: 'postgresql', url: clone.url });
      assert.deepEqual(await tableDigests(h2.db), before);
      await h2.close();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${other} WITH (FORCE)`);
      await admin.end();
      await clone.drop();
    }
  },
);
