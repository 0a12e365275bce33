// Opens the database: PostgreSQL when a URL is given, otherwise embedded PGlite in a data folder
// (or in memory). Both return int8 and numeric as decimal strings, so money never passes through
// a JS number.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type DatabaseKind = 'pglite' | 'postgresql';
export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: DatabaseKind;
  close(): Promise<void>;
  /** PGlite only: a tarball of the data folder (used by tests to clone a migrated database). */
  dump?(): Promise<Blob>;
  /**
   * LISTEN on a notification channel (core/events): `onNotify` receives each payload. PostgreSQL:
   * one dedicated connection per handle, reconnected when lost (`onReconnect` then lets callers
   * catch up from their table); PGlite: the embedded instance's own notifications.
   */
  listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
}

export type OpenOptions =
  | { kind: 'postgresql'; url: string; poolSize?: number }
  | { kind: 'pglite'; dataDir: string | null; loadDataDir?: Blob };

const identity = (v: string) => v;
// pg: int8 (20) and numeric (1700) already parse as strings; make it explicit and shared.
pg.types.setTypeParser(20, identity);
pg.types.setTypeParser(1700, identity);

/** A test's view of every statement sent (SQL snapshots); null, the default, costs nothing. */
let queryObserver: ((sql: string) => void) | null = null;
export function observeQueries(fn: ((sql: string) => void) | null): void {
  queryObserver = fn;
}
const log = (event: LogEvent) => {
  if (queryObserver && event.level === 'query') queryObserver(event.query.sql);
};

/**
 * A pg client that prepares each parameterised statement once per connection (a named statement:
 * PostgreSQL parses and plans it once, then only binds and executes) — what postgres.js does by
 * default. At most PREPARED_MAX names per connection; beyond, statements go unnamed as before.
 * Statements without parameters (BEGIN, COMMIT, migration scripts) keep the simple protocol.
 */
const PREPARED_MAX = 500;
/** Statement names by SQL text, shared by the connections (a line save does not hash its SQL again). */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `padu_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    if (names.size >= 10 * PREPARED_MAX) names.clear();
    names.set(text, name);
  }
  return name;
}
class PreparingClient extends pg.Client {
  private readonly prepared = new Set<string>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(config);
      if (this.prepared.has(name) || this.prepared.size < PREPARED_MAX) {
        this.prepared.add(name);
        return super.query({ name, text: config, values }, callback);
      }
    }
    return super.query(config, values, callback);
  }
}
const preparing = process.env.PADU_PG_PREPARE !== '0';

export async function openDatabase(opts: OpenOptions): Promise<DatabaseHandle> {
  if (opts.kind === 'postgresql') {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      ...(preparing ? { Client: PreparingClient } : {}),
    });
    // An idle pooled connection that the server ends (a restart, a FORCE drop, an idle timeout)
    // emits 'error' on the pool; pg drops that client and the next query opens a new one. Without
    // a listener the error would end the process.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }), log });
    await sql`select 1`.execute(db);
    const listeners: Array<() => Promise<void>> = [];
    return {
      db,
      kind: 'postgresql',
      listen: async (channel, onNotify, onReconnect) => {
        const stop = await pgListen(opts.url, channel, onNotify, onReconnect);
        listeners.push(stop);
        return stop;
      },
      close: async () => {
        await Promise.all(listeners.map((l) => l()));
        await db.destroy();
      },
    };
  }

  let unlock = () => {};
  if (opts.dataDir) {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    unlock = lockDataDir(opts.dataDir);
  }
  try {
    const client = await PGlite.create({
      dataDir: opts.dataDir ?? undefined,
      loadDataDir: opts.loadDataDir,
      extensions: { pg_trgm },
      parsers: { [pgliteTypes.INT8]: identity, [pgliteTypes.NUMERIC]: identity },
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect(client), log });
    return {
      db,
      kind: 'pglite',
      dump: () => client.dumpDataDir('none'),
      listen: async (channel, onNotify) => {
        const unsub = await client.listen(channel, onNotify);
        return async () => {
          if (!client.closed) await unsub();
        };
      },
      close: async () => {
        await db.destroy();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

/** A dedicated LISTEN connection to PostgreSQL, reconnected (with back-off) when it drops. */
async function pgListen(
  url: string,
  channel: string,
  onNotify: (payload: string) => void,
  onReconnect?: () => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (first: boolean): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (m) => {
      if (m.channel === channel && m.payload !== undefined) onNotify(m.payload);
    });
    c.on('error', () => {
      /* handled by 'end' */
    });
    c.on('end', () => {
      if (stopped || client !== c) return;
      client = null;
      retry = setTimeout(() => void connect(false).catch(() => undefined), 500);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      if (first) throw err;
      if (!stopped) retry = setTimeout(() => void connect(false).catch(() => undefined), 1000);
      return;
    }
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    if (!first) onReconnect?.();
  };
  await connect(true);
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = null;
    await c?.end().catch(() => undefined);
  };
}

/**
 * PGlite takes no lock on its folder; two processes writing one folder would corrupt it.
 * Take an exclusive lock file holding our pid; a lock whose process is gone is stale and taken over.
 */
export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, 'padu.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(
          `The data folder ${dir} is in use by another Padu process (pid ${pid}). ` +
            `Stop it, or set PADU_DATA_DIR to another folder, or use DATABASE_URL.`,
          { cause: err },
        );
      }
      if (pid === process.pid)
        throw new Error(`The data folder ${dir} is already open in this process.`, { cause: err });
      fs.unlinkSync(file); // stale lock
    }
  }
  throw new Error(`Could not lock the data folder ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
