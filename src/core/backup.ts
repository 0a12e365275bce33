// Backup and restore. PostgreSQL: `pg_dump` custom format (restorable with the stock pg_restore,
// too) and `pg_restore --clean --single-transaction`, so a failed restore changes nothing. PGlite:
// a tarball of the data folder (PGlite's dumpDataDir), restored into an empty data folder.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Db } from './db/database.ts';
import type { Config } from './config.ts';

/** Run a client program (pg_dump, pg_restore); reject with its stderr when it fails. */
function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', (e) =>
      reject(
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? new Error(`${cmd} is not installed (Debian/Ubuntu: apt-get install postgresql-client)`)
          : e,
      ),
    );
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed (${code}):\n${err.trim()}`))));
  });
}

export async function backup(config: Config, file: string): Promise<{ kind: string; bytes: number }> {
  const tmp = `${file}.partial`;
  if (config.databaseUrl) {
    await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${tmp}`, config.databaseUrl]);
  } else {
    const handle = await openDatabase({ kind: 'pglite', dataDir: path.resolve(config.dataDir) });
    try {
      const blob = await handle.dump!();
      fs.writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    } finally {
      await handle.close();
    }
  }
  fs.renameSync(tmp, file); // a backup file is complete or absent
  return { kind: config.databaseUrl ? 'postgresql' : 'pglite', bytes: fs.statSync(file).size };
}

/**
 * Restore a backup made by `backup`. PostgreSQL: into the configured database, replacing Padu's
 * tables in one transaction. PGlite: into the configured data folder, which must be empty or absent
 * (move the old one aside first; nothing is overwritten).
 */
export async function restore(config: Config, file: string): Promise<void> {
  if (!fs.existsSync(file)) throw new Error(`No backup file ${file}`);
  if (config.databaseUrl) {
    await run('pg_restore', [
      '--clean',
      '--if-exists',
      '--no-owner',
      '--no-privileges',
      '--single-transaction',
      '--exit-on-error',
      `--dbname=${config.databaseUrl}`,
      file,
    ]);
    return;
  }
  const dir = path.resolve(config.dataDir);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)
    throw new Error(`The data folder ${dir} is not empty: move it aside, or set PADU_DATA_DIR to a new folder`);
  const handle = await openDatabase({
    kind: 'pglite',
    dataDir: dir,
    loadDataDir: new Blob([fs.readFileSync(file)]),
  });
  await sql`SELECT 1`.execute(handle.db);
  await handle.close();
}

/** Row count and an order-independent digest of every table: two databases holding the same data agree. */
export async function tableDigests(db: Db): Promise<Record<string, { rows: number; md5: string }>> {
  const tables = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`.execute(db);
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const { name } of tables.rows) {
    const r = await sql<{ rows: number; md5: string | null }>`
      SELECT count(*)::int AS rows, md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) AS md5
      FROM ${sql.table(name)} t`.execute(db);
    out[name] = { rows: r.rows[0]!.rows, md5: r.rows[0]!.md5 ?? '' };
  }
  return out;
}
