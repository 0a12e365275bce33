// Architecture rules checked on the migrated schema: every table belongs to a module (by prefix),
// and every table is keyed by the tenant — pemda_id first in its primary key and in every foreign
// key — so one deployment can hold many Pemda and be distributed (Citus) by that column.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { allModules } from '../../app.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const GLOBAL_TABLES = new Set(['core_pemda', 'core_migration']);

async function tables(): Promise<string[]> {
  const r = await sql<{
    name: string;
  }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`.execute(t.db);
  return r.rows.map((x) => x.name);
}

test('every table carries a module prefix', async () => {
  const prefixes = allModules.map((m) => m.tablePrefix);
  const stray = (await tables()).filter((name) => !prefixes.some((p) => name.startsWith(p)));
  assert.deepEqual(stray, []);
});

test('pemda_id is the first column of every primary key and every foreign key', async () => {
  const r = await sql<{ table_name: string; kind: string; name: string; first_col: string; ref_table: string | null }>`
    SELECT c.conrelid::regclass::text AS table_name, c.contype AS kind, c.conname AS name,
           a.attname AS first_col, c.confrelid::regclass::text AS ref_table
    FROM pg_constraint c
    JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype IN ('p', 'f')`.execute(t.db);
  const bad = r.rows.filter((c) => {
    if (GLOBAL_TABLES.has(c.table_name)) return false;
    if (c.kind === 'f' && c.ref_table === 'core_pemda') return false; // the tenant reference itself
    return c.first_col !== 'pemda_id';
  });
  assert.deepEqual(
    bad.map((c) => `${c.table_name}.${c.name}`),
    [],
  );
  const withPk = new Set(r.rows.filter((c) => c.kind === 'p').map((c) => c.table_name));
  const noPk = (await tables()).filter((x) => !withPk.has(x));
  assert.deepEqual(noPk, [], 'every table has a primary key');
});

test('money columns are exact: no float or double precision anywhere', async () => {
  const r = await sql<{ t: string; c: string }>`
    SELECT table_name AS t, column_name AS c FROM information_schema.columns
    WHERE table_schema = 'public' AND data_type IN ('real', 'double precision')`.execute(t.db);
  assert.deepEqual(r.rows, []);
});
