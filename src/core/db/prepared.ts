// Statements built once and bound many times. A hot path (the session of every request, the line
// save's read) describes its query with Kysely as usual, but over named placeholders instead of
// values; the query is built and compiled once, and each call only binds the values in the order
// the compiled SQL expects. The SQL text is one string for the life of the process, so the named
// prepared statement of core/db/database.ts finds it without rehashing a new string either.
//
// Rule for the builder: it must not look at the values (no branch, no .trim(), no arithmetic on
// them). Every placeholder must reach the SQL as a parameter, or the first call throws.
import { CompiledQuery, type Compilable, type RawBuilder } from 'kysely';
import type { Db } from './database.ts';

/** A placeholder standing for the value of one named parameter. */
class Slot {
  constructor(readonly name: string) {}
}

type Query<R> = Compilable<R> | RawBuilder<R>;

interface Compiled {
  sql: string;
  /** Per parameter of the SQL: the name of the value to bind, or a constant of the builder's own. */
  binds: Array<{ name: string } | { value: unknown }>;
}

export interface Prepared<P, R> {
  /** All rows. */
  all(db: Db, values: P): Promise<R[]>;
  /** The first row, or undefined. */
  first(db: Db, values: P): Promise<R | undefined>;
  /** The SQL text (for snapshots and tests). */
  sql(db: Db): string;
}

/**
 * A query built once over placeholders: `build(db, p)` receives `p` whose properties stand for the
 * values of each call (typed as the values themselves, so the builder type-checks as usual).
 */
export function prepared<P extends object, R>(build: (db: Db, p: P) => Query<R>): Prepared<P, R> {
  let compiled: Compiled | undefined;
  const compile = (db: Db): Compiled => {
    if (compiled) return compiled;
    const used = new Set<string>();
    const slots = new Proxy({} as P, {
      get: (_t, name) => {
        if (typeof name !== 'string') return undefined;
        used.add(name);
        return new Slot(name);
      },
    });
    const q = build(db, slots);
    // a builder compiles itself; a raw sql`…` needs the executor of a database
    const c = q.compile.length === 0 ? (q as Compilable<R>).compile() : (q as RawBuilder<R>).compile(db);
    const binds = c.parameters.map((v) => (v instanceof Slot ? { name: v.name } : { value: v }));
    for (const name of used)
      if (!binds.some((b) => 'name' in b && b.name === name))
        throw new Error(`prepared: the value "${name}" does not reach the SQL as a parameter`);
    compiled = { sql: c.sql, binds };
    return compiled;
  };
  const run = async (db: Db, values: P): Promise<R[]> => {
    const c = compile(db);
    const params = c.binds.map((b) => ('name' in b ? (values as Record<string, unknown>)[b.name] : b.value));
    const r = await db.executeQuery<R>(CompiledQuery.raw(c.sql, params));
    return r.rows;
  };
  return {
    all: run,
    first: async (db, values) => (await run(db, values))[0],
    sql: (db) => compile(db).sql,
  };
}
