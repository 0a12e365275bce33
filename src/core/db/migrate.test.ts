// Migrations are append-only: an applied file that changes is refused by name, rows recorded before
// checksums are adopted once, and applying the real migrations one by one (as a database that has
// lived through every release would have) gives the same schema as a fresh migration of them all.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { migrate, listMigrations, coreMigrations, MigrationMismatchError, type MigrationFile } from './migrate.ts';
import { migrationSources } from '../../app.ts';
import type { DatabaseHandle } from './database.ts';
import { scratchDatabase, schemaSnapshot } from '../../testing/schema.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

// One scratch database for the file (opening one is the slow part), emptied before each use.
let shared: DatabaseHandle | undefined;
async function scratch(): Promise<DatabaseHandle> {
  if (!shared) {
    const s = await scratchDatabase();
    cleanups.push(s.drop);
    shared = s.handle;
  }
  await sql`DROP SCHEMA public CASCADE`.execute(shared.db);
  await sql`CREATE SCHEMA public`.execute(shared.db);
  return shared;
}

function tempSource(files: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'padu-mig-'));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return { module: 'scratch', dir: pathToFileURL(`${dir}/`), path: dir };
}

test('an applied migration whose text changed is refused at start, naming module and file', async () => {
  const h = await scratch();
  const src = tempSource({
    '0001_first.sql':
      'CREATE TABLE scratch_a (pemda_id integer NOT NULL, id integer NOT NULL, PRIMARY KEY (pemda_id, id));',
  });
  const logs: string[] = [];
  const first = await migrate(h, [src], { log: (l) => logs.push(l) });
  assert.ok(first.includes('scratch/0001_first.sql'));
  assert.deepEqual(await migrate(h, [src], { log: (l) => logs.push(l) }), [], 'a second start applies nothing');

  // someone edits the applied file in place
  fs.writeFileSync(
    path.join(src.path, '0001_first.sql'),
    'CREATE TABLE scratch_a (pemda_id integer NOT NULL, id bigint NOT NULL, PRIMARY KEY (pemda_id, id));',
  );
  fs.writeFileSync(path.join(src.path, '0002_second.sql'), 'CREATE TABLE scratch_b (pemda_id integer PRIMARY KEY);');
  await assert.rejects(migrate(h, [src], { log: (l) => logs.push(l) }), (e: unknown) => {
    assert.ok(e instanceof MigrationMismatchError);
    assert.match(e.message, /scratch\/0001_first\.sql/);
    return true;
  });
  // nothing after the mismatch ran
  const b = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'scratch_b'`.execute(
    h.db,
  );
  assert.equal(b.rows[0]!.n, 0);

  // a file that was applied and is now missing is refused too
  fs.rmSync(path.join(src.path, '0001_first.sql'));
  await assert.rejects(migrate(h, [src]), /scratch\/0001_first\.sql was applied but its file is missing/);
  assert.deepEqual(logs, []);
});

test('rows recorded before checksums are adopted once, with a log line; then checked', async () => {
  const h = await scratch();
  const src = tempSource({ '0001_first.sql': 'CREATE TABLE scratch_c (pemda_id integer PRIMARY KEY);' });
  await migrate(h, [src], { log: () => {} });
  // as an older Padu left it: no sha256 recorded
  await sql`UPDATE core_migration SET sha256 = NULL`.execute(h.db);
  const logs: string[] = [];
  assert.deepEqual(await migrate(h, [src], { log: (l) => logs.push(l) }), []);
  assert.ok(
    logs.some((l) => l.includes('scratch/0001_first.sql')) && logs.some((l) => l.includes('core/0001_core.sql')),
  );
  const rows = await h.db.selectFrom('core_migration').select(['module', 'name', 'sha256']).execute();
  assert.ok(rows.every((r) => r.sha256 && /^[0-9a-f]{64}$/.test(r.sha256)));
  const again: string[] = [];
  await migrate(h, [src], { log: (l) => again.push(l) });
  assert.deepEqual(again, [], 'adopted once');
  fs.writeFileSync(path.join(src.path, '0001_first.sql'), 'CREATE TABLE scratch_c (pemda_id bigint PRIMARY KEY);');
  await assert.rejects(migrate(h, [src]), /scratch\/0001_first\.sql differs/);
});

/**
 * The order a long-lived database met the files: every module's first file (in manifest order),
 * then every module's second file, and so on — each in its own start of Padu.
 */
function arrivalOrder(files: MigrationFile[]): MigrationFile[] {
  const rank = new Map<string, number>();
  const byModule = new Map<string, number>();
  for (const f of files) {
    const n = byModule.get(f.module) ?? 0;
    rank.set(`${f.module}/${f.name}`, n);
    byModule.set(f.module, n + 1);
  }
  const modules = [...byModule.keys()];
  return [...files].sort(
    (a, b) =>
      rank.get(`${a.module}/${a.name}`)! - rank.get(`${b.module}/${b.name}`)! ||
      modules.indexOf(a.module) - modules.indexOf(b.module),
  );
}

test('the real migrations applied one start at a time give the schema of a fresh migration', async () => {
  const sources = migrationSources();
  const files = listMigrations([coreMigrations, ...sources]);
  assert.ok(files.length >= 7, 'the real migrations are listed');

  const fresh = await scratch();
  await migrate(fresh, sources);
  const a = await schemaSnapshot(fresh.db);

  const stepwise = await scratch();
  const order = arrivalOrder(files);
  for (const f of order) {
    const key = `${f.module}/${f.name}`;
    const applied = await migrate(stepwise, sources, { include: (m) => `${m.module}/${m.name}` === key });
    assert.deepEqual(applied, [key]);
  }
  assert.deepEqual(await migrate(stepwise, sources), [], 'nothing left after the last step');

  const b = await schemaSnapshot(stepwise.db);
  assert.ok(a.length > 100);
  const onlyFresh = a.filter((l) => !b.includes(l));
  const onlyStepwise = b.filter((l) => !a.includes(l));
  assert.deepEqual({ onlyFresh, onlyStepwise }, { onlyFresh: [], onlyStepwise: [] });
});
