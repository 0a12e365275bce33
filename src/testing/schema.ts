// Test helpers for schema checks: a scratch database (in-memory PGlite, or a throw-away PostgreSQL
// database when TEST_DATABASE_URL is set) and a normalised description of the public schema.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle, type Db } from '../core/db/database.ts';

export async function scratchDatabase(): Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const handle = await openDatabase({ kind: 'pglite', dataDir: null });
    return { handle, drop: () => handle.close() };
  }
  const name = `padu_s_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const handle = await openDatabase({ kind: 'postgresql', url: u.toString(), poolSize: 2 });
  return {
    handle,
    drop: async () => {
      await handle.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      // the pool's connections close after end() resolves: wait for them before the FORCE drop
      for (let i = 0; i < 50; i++) {
        const { rows } = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface ColumnInfo {
  table: string;
  column: string;
  /** information_schema data_type, with the element type for arrays (e.g. "ARRAY integer"). */
  type: string;
  nullable: boolean;
  default: string | null;
  generated: boolean;
}

export async function columns(db: Db): Promise<ColumnInfo[]> {
  const r = await sql<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
    column_default: string | null;
    is_identity: string;
    is_generated: string;
  }>`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, is_identity, is_generated
     FROM information_schema.columns WHERE table_schema = 'public'
     ORDER BY table_name, column_name`.execute(db);
  return r.rows.map((c) => ({
    table: c.table_name,
    column: c.column_name,
    type: c.data_type === 'ARRAY' ? `ARRAY ${c.udt_name.replace(/^_/, '')}` : c.data_type,
    nullable: c.is_nullable === 'YES',
    default: c.column_default,
    generated: c.is_identity === 'YES' || c.is_generated === 'ALWAYS',
  }));
}

/** Tables, columns (in position order), constraints and indexes as sorted text lines. */
export async function schemaSnapshot(db: Db): Promise<string[]> {
  const cols = await sql<{ line: string }>`
    SELECT format('column %s.%s #%s %s %s null=%s default=%s identity=%s generated=%s', table_name, column_name,
                  ordinal_position, data_type, udt_name, is_nullable, coalesce(column_default, '-'),
                  is_identity, is_generated) AS line
    FROM information_schema.columns WHERE table_schema = 'public'`.execute(db);
  const cons = await sql<{ line: string }>`
    SELECT format('constraint %s %s %s', c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)) AS line
    FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
    WHERE n.nspname = 'public'`.execute(db);
  const idx = await sql<{ line: string }>`
    SELECT format('index %s %s', tablename, indexdef) AS line FROM pg_indexes WHERE schemaname = 'public'`.execute(db);
  const other = await sql<{ line: string }>`
    SELECT format('relation %s %s', c.relname, c.relkind) AS line
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'S', 'p')`.execute(db);
  const triggers = await sql<{ line: string }>`
    SELECT format('trigger %s %s', t.tgrelid::regclass::text, pg_get_triggerdef(t.oid)) AS line
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND NOT t.tgisinternal`.execute(db);
  const functions = await sql<{ line: string }>`
    SELECT format('function %s', pg_get_functiondef(p.oid)) AS line
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`.execute(db);
  return [...cols.rows, ...cons.rows, ...idx.rows, ...other.rows, ...triggers.rows, ...functions.rows]
    .map((r) => r.line)
    .sort();
}
