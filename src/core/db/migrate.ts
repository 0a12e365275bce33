// Versioned SQL migrations: core first, then each module in manifest order, each module's files
// in name order. Each file runs in its own transaction with its bookkeeping row. On PostgreSQL an
// advisory lock keeps two starting processes from migrating at once.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { DatabaseHandle } from './database.ts';

export interface MigrationSource {
  module: string;
  dir: URL;
}

export interface MigrationFile {
  module: string;
  name: string;
  sql: string;
}

export const coreMigrations: MigrationSource = { module: 'core', dir: new URL('../migrations/', import.meta.url) };

export function listMigrations(sources: MigrationSource[]): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const src of sources) {
    const dir = fileURLToPath(src.dir);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      files.push({ module: src.module, name, sql: fs.readFileSync(path.join(dir, name), 'utf8') });
    }
  }
  return files;
}

export async function migrate(handle: DatabaseHandle, sources: MigrationSource[]): Promise<string[]> {
  const applied: string[] = [];
  // one connection for lock, work and unlock (a session-level advisory lock on PostgreSQL)
  await handle.db.connection().execute(async (conn) => {
    if (handle.kind === 'postgresql') await sql`SELECT pg_advisory_lock(727272)`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS core_migration (
        module text NOT NULL, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (module, name))`.execute(conn);
      const done = new Set(
        (await conn.selectFrom('core_migration').select(['module', 'name']).execute()).map(
          (r) => `${r.module}/${r.name}`,
        ),
      );
      for (const m of listMigrations([coreMigrations, ...sources])) {
        if (done.has(`${m.module}/${m.name}`)) continue;
        await conn.transaction().execute(async (trx) => {
          await sql.raw(m.sql).execute(trx);
          await trx.insertInto('core_migration').values({ module: m.module, name: m.name }).execute();
        });
        applied.push(`${m.module}/${m.name}`);
      }
    } finally {
      if (handle.kind === 'postgresql') await sql`SELECT pg_advisory_unlock(727272)`.execute(conn);
    }
  });
  return applied;
}
