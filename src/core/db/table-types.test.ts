// The hand-written Kysely table types (core's schema.ts and every module's `*.tables.ts`) checked
// against the migrated database: the test reads information_schema, writes one type-level
// assertion per table and column (columns exactly the same, TypeScript type matching the SQL type,
// null allowed exactly when the column is nullable, required on insert when the database has no
// default) and compiles them with tsc. A migration and its type cannot drift apart.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from './migrate.ts';
import { migrationSources } from '../../app.ts';
import { columns, scratchDatabase, type ColumnInfo } from '../../testing/schema.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const workDir = path.join(root, '.test-cache', `table-types-${process.pid}`);
after(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** The TypeScript type a selected value of each SQL type has (see database.ts: int8/numeric are strings). */
const SELECT_TYPE: Record<string, string | null> = {
  int2: 'number',
  int4: 'number',
  int8: 'string',
  numeric: 'string',
  text: 'string',
  varchar: 'string',
  uuid: 'string',
  bool: 'boolean',
  timestamptz: 'Date',
  timestamp: 'Date',
  date: 'Date', // pg and PGlite parse a date column into a Date (local midnight)
  bytea: 'Uint8Array',
  _int4: 'number[]',
  jsonb: null, // any shape
  json: null,
};

function tablesFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.tables.ts')) out.push(p);
    }
  };
  walk(path.join(root, 'src'));
  return out.sort();
}

function checkSource(cols: ColumnInfo[], udt: Map<string, string>): { text: string; names: string[] } {
  const rel = (p: string) => path.relative(workDir, p).split(path.sep).join('/');
  const lines: string[] = [
    `import type { Insertable, Selectable } from 'kysely';`,
    `import type { Database } from '${rel(path.join(root, 'src/core/db/schema.ts'))}';`,
    ...tablesFiles().map((f) => `import '${rel(f)}';`),
    `type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;`,
    `type Ok<T extends true> = T;`,
    `type Sel<T extends keyof Database> = Selectable<Database[T]>;`,
    `type Ins<T extends keyof Database> = Insertable<Database[T]>;`,
    `type NullMatches<A, N extends boolean> = unknown extends A ? true : Equals<null extends A ? true : false, N>;`,
    `type BaseMatches<A, B> = [NonNullable<A>] extends [B] ? ([NonNullable<A>] extends [never] ? false : true) : false;`,
    `type Required<T, K extends keyof T> = {} extends Pick<T, K> ? false : true;`,
  ];
  const named: string[] = [];
  const add = (name: string, assertion: string) => {
    named[lines.length] = name;
    lines.push(`export type _${lines.length} = Ok<${assertion}>;`);
  };
  const tables = [...new Set(cols.map((c) => c.table))].sort();
  add('the set of tables', `Equals<keyof Database, ${tables.map((t) => `'${t}'`).join(' | ')}>`);
  for (const table of tables) {
    const tc = cols.filter((c) => c.table === table);
    add(`${table}: the set of columns`, `Equals<keyof Sel<'${table}'>, ${tc.map((c) => `'${c.column}'`).join(' | ')}>`);
    for (const c of tc) {
      const ref = `Sel<'${table}'>['${c.column}']`;
      add(`${table}.${c.column}: null ${c.nullable ? 'allowed' : 'not allowed'}`, `NullMatches<${ref}, ${c.nullable}>`);
      const ts = SELECT_TYPE[udt.get(`${table}.${c.column}`)!];
      if (ts === undefined) throw new Error(`no TypeScript type known for ${c.type} (${table}.${c.column})`);
      if (ts) add(`${table}.${c.column}: selects as ${ts} (${c.type})`, `BaseMatches<${ref}, ${ts}>`);
      if (!c.nullable && c.default === null && !c.generated)
        add(
          `${table}.${c.column}: required on insert (NOT NULL, no default)`,
          `Required<Ins<'${table}'>, '${c.column}'>`,
        );
    }
  }
  return { text: lines.join('\n') + '\n', names: named };
}

test('every table type matches the migrated database', async () => {
  const s = await scratchDatabase();
  let cols: ColumnInfo[];
  const udt = new Map<string, string>();
  try {
    await migrate(s.handle, migrationSources(), { log: () => {} });
    cols = await columns(s.handle.db);
    const { sql } = await import('kysely');
    const r = await sql<{ t: string; c: string; u: string }>`
      SELECT table_name AS t, column_name AS c, udt_name AS u FROM information_schema.columns
      WHERE table_schema = 'public'`.execute(s.handle.db);
    for (const x of r.rows) udt.set(`${x.t}.${x.c}`, x.u);
  } finally {
    await s.drop();
  }
  assert.ok(cols.length > 100);
  const { text, names } = checkSource(cols, udt);
  fs.mkdirSync(workDir, { recursive: true });
  fs.writeFileSync(path.join(workDir, 'check.ts'), text);
  fs.writeFileSync(
    path.join(workDir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true }, include: ['check.ts'] }),
  );
  const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
  const res = spawnSync(tsc, ['-p', path.join(workDir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8' });
  const out = `${res.stdout}${res.stderr}`;
  const drifts = [...out.matchAll(/check\.ts\((\d+),\d+\): error (TS\d+: .*)/g)].map(
    (m) => names[Number(m[1]) - 1] ?? `line ${m[1]}: ${m[2]}`,
  );
  assert.deepEqual(drifts, [], out.slice(0, 4000));
  assert.equal(res.status, 0, out.slice(0, 4000));
});
