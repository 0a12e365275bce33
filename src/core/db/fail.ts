// Undo a statement of several data-modifying steps from inside it (migration core/0003_core_fail):
// `failWhen(cond, code)` is an SQL expression that raises the error `code` when `cond` holds, so
// that every step of the statement is rolled back; `isFailure(err, code)` recognises that error.
import { sql, type RawBuilder } from 'kysely';

export function failWhen(cond: RawBuilder<unknown>, code: string): RawBuilder<boolean | null> {
  return sql<boolean | null>`CASE WHEN ${cond} THEN core_fail(${code}) END`;
}

export function isFailure(err: unknown, code: string): boolean {
  const e = err as { code?: string; message?: string } | null;
  return !!e && e.code === 'P0001' && e.message === code;
}
