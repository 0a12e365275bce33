// Versioned SQL migrations: core first, then each module in manifest order, each module's files
// in name order. Each file runs in its own transaction with its bookkeeping row, which records the
// sha256 of the file's text. Applied migrations are append-only: on start, every applied file still
// in the source tree must hash to what was applied, or migrate() refuses, naming module and file
// (edit nothing that has run; add a new file). On PostgreSQL an advisory lock keeps two starting
// processes from migrating at once.
import { createHash } from 'node:crypto';
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
  /** sha256 (hex) of the text with line endings normalised to LF. */
  sha256: string;
}

export interface MigrateOptions {
  /** Apply only the pending files this accepts (the others stay pending). Checks still cover every applied file. */
  include?: (file: MigrationFile) => boolean;
  /** Where notices go (adoption of rows recorded before checksums). Default: stderr. */
  log?: (line: string) => void;
}

export class MigrationMismatchError extends Error {
  constructor(
    readonly module: string,
    readonly file: string,
    reason: string,
  ) {
    super(
      `Migration ${module}/${file} ${reason}. Applied migrations are append-only: restore the file as it was ` +
        `applied and put the change in a new migration file.`,
    );
  }
}

export const coreMigrations: MigrationSource = { module: 'core', dir: new URL('../migrations/', import.meta.url) };

export function migrationHash(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

export function listMigrations(sources: MigrationSource[]): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const src of sources) {
    const dir = fileURLToPath(src.dir);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      files.push({ module: src.module, name, sql: text, sha256: migrationHash(text) });
    }
  }
  return files;
}

export async function migrate(
  handle: DatabaseHandle,
  sources: MigrationSource[],
  opts: MigrateOptions = {},
): Promise<string[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const applied: string[] = [];
  const all = [coreMigrations, ...sources.filter((s) => s.module !== coreMigrations.module)];
  const files = listMigrations(all);
  const modules = new Set(all.map((s) => s.module));
  // one connection for lock, work and unlock (a session-level advisory lock on PostgreSQL)
  await handle.db.connection().execute(async (conn) => {
    if (handle.kind === 'postgresql') await sql`SELECT pg_advisory_lock(727272)`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS core_migration (
        module text NOT NULL, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (module, name))`.execute(conn);
      await sql`ALTER TABLE core_migration ADD COLUMN IF NOT EXISTS sha256 text`.execute(conn);
      const rows = await conn.selectFrom('core_migration').select(['module', 'name', 'sha256']).execute();
      const byKey = new Map(files.map((f) => [`${f.module}/${f.name}`, f]));
      const done = new Set<string>();
      for (const r of rows) {
        const key = `${r.module}/${r.name}`;
        done.add(key);
        if (!modules.has(r.module)) continue; // a module this app does not include
        const file = byKey.get(key);
        if (!file) throw new MigrationMismatchError(r.module, r.name, 'was applied but its file is missing');
        if (r.sha256 === null) {
          // recorded before checksums existed: adopt the file as it is now, once
          await conn
            .updateTable('core_migration')
            .set({ sha256: file.sha256 })
            .where('module', '=', r.module)
            .where('name', '=', r.name)
            .where('sha256', 'is', null)
            .execute();
          log(`migrate: recorded sha256 ${file.sha256.slice(0, 12)}… for ${key} (applied before checksums)`);
        } else if (r.sha256 !== file.sha256) {
          throw new MigrationMismatchError(
            r.module,
            r.name,
            `differs from the version applied to this database (sha256 ${r.sha256.slice(0, 12)}… applied, ` +
              `${file.sha256.slice(0, 12)}… now)`,
          );
        }
      }
      for (const m of files) {
        if (done.has(`${m.module}/${m.name}`)) continue;
        if (opts.include && !opts.include(m)) continue;
        await conn.transaction().execute(async (trx) => {
          await sql.raw(m.sql).execute(trx);
          await trx.insertInto('core_migration').values({ module: m.module, name: m.name, sha256: m.sha256 }).execute();
        });
        applied.push(`${m.module}/${m.name}`);
      }
    } finally {
      if (handle.kind === 'postgresql') await sql`SELECT pg_advisory_unlock(727272)`.execute(conn);
    }
  });
  return applied;
}
