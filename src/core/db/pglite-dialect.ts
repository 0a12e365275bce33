// A minimal Kysely dialect for PGlite. PGlite has one connection; a mutex held from acquire to
// release serialises every query and every transaction, so one transaction's ROLLBACK can never
// touch another's work (the trap found in kysely-pglite, see docs/engineering-notes.md).
import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return acquired;
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // A script of several statements without parameters (a migration file) needs the simple
    // query protocol: the extended one (query) refuses more than one command.
    if (query.parameters.length === 0 && /;\s*\S/.test(query.sql.replace(/--[^\n]*/g, ''))) {
      const results = await this.pg.exec(query.sql, { rowMode: 'object' });
      const last = results[results.length - 1];
      return {
        rows: (last?.rows ?? []) as R[],
        numAffectedRows: last?.affectedRows === undefined ? undefined : BigInt(last.affectedRows),
      };
    }
    const res = await this.pg.query<R>(query.sql, query.parameters as unknown[], { rowMode: 'object' });
    const affected = res.affectedRows;
    return {
      rows: res.rows,
      numAffectedRows: affected === undefined ? undefined : BigInt(affected),
    };
  }

  // PGlite has no server-side cursor protocol; stream through a SQL cursor inside the current
  // transaction (callers stream inside a transaction) so that memory stays bounded.
  async *streamQuery<R>(query: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    const name = `padu_cur_${Math.random().toString(36).slice(2)}`;
    await this.pg.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${query.sql}`, query.parameters as unknown[]);
    try {
      for (;;) {
        const res = await this.pg.query<R>(`FETCH ${chunkSize} FROM ${name}`, [], { rowMode: 'object' });
        if (res.rows.length === 0) break;
        yield { rows: res.rows };
        if (res.rows.length < chunkSize) break;
      }
    } finally {
      await this.pg.query(`CLOSE ${name}`);
    }
  }
}

function waitLimitMs(): number {
  const v = Number(process.env.PADU_PGLITE_WAIT_MS);
  return Number.isInteger(v) && v > 0 ? v : 60_000;
}

class PGliteDriver implements Driver {
  private readonly mutex = new Mutex();
  private readonly releases = new Map<DatabaseConnection, () => void>();
  private readonly connection: PGliteConnection;

  constructor(private readonly pg: PGlite) {
    this.connection = new PGliteConnection(pg);
  }

  async init(): Promise<void> {
    await this.pg.waitReady;
  }

  /**
   * Waits for the one connection. A query on the outer handle issued inside an open transaction
   * would wait for ever (the transaction holds the connection): after PADU_PGLITE_WAIT_MS (60 s)
   * the wait fails with an error instead of hanging the request (and a test) silently.
   */
  async acquireConnection(): Promise<DatabaseConnection> {
    const locked = this.mutex.lock();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitLimitMs())));
    const won = await Promise.race([locked, timedOut]);
    clearTimeout(timer);
    if (won === 'timeout') {
      void locked.then((release) => release()); // give the turn back when it comes
      throw new Error(
        `PGlite: waited ${waitLimitMs()} ms for the connection; a query outside the open transaction (use the transaction's handle)?`,
      );
    }
    this.releases.set(this.connection, won);
    return this.connection;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const iso = settings.isolationLevel ? ` ISOLATION LEVEL ${settings.isolationLevel.toUpperCase()}` : '';
    await conn.executeQuery(CompiledQuery.raw(`BEGIN${iso}`));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const release = this.releases.get(conn);
    this.releases.delete(conn);
    release?.();
  }

  async destroy(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
  }
}

export class PGliteDialect implements Dialect {
  constructor(private readonly pg: PGlite) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pg);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Dialect interface takes Kysely<any>
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
