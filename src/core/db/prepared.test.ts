import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from './database.ts';
import { prepared } from './prepared.ts';

let h: DatabaseHandle;
before(async () => {
  h = await openDatabase({ kind: 'pglite', dataDir: null });
});
after(async () => h.close());

test('a prepared query binds each call’s values in the order of its SQL, keeping its own constants', async () => {
  let builds = 0;
  const q = prepared((db, p: { a: number; b: string | null }) => {
    builds++;
    return sql<{ x: number; y: string | null; c: string; a2: number }>`SELECT ${p.a}::int AS x, ${p.b}::text AS y,
      ${'fixed'}::text AS c, ${p.a}::int * 2 AS a2`;
  });
  assert.deepEqual(await q.first(h.db, { a: 1, b: 'one' }), { x: 1, y: 'one', c: 'fixed', a2: 2 });
  assert.deepEqual(await q.all(h.db, { a: 7, b: null }), [{ x: 7, y: null, c: 'fixed', a2: 14 }]);
  assert.equal(builds, 1, 'built and compiled once');
  assert.match(q.sql(h.db), /\$1::int AS x, \$2::text AS y,\s+\$3::text AS c, \$4::int \* 2/);
});

test('a query builder works the same way', async () => {
  const q = prepared((db, p: { n: number }) =>
    db.selectNoFrom((eb) => [sql<number>`${p.n}::int`.as('n'), eb.val('k').as('k')]),
  );
  assert.deepEqual(await q.first(h.db, { n: 5 }), { n: 5, k: 'k' });
  assert.deepEqual(await q.first(h.db, { n: 6 }), { n: 6, k: 'k' });
});

test('a builder that computes with a value instead of passing it on is refused', async () => {
  const q = prepared((_db, p: { code: string }) => {
    const len = String(p.code).length; // looks at the placeholder, never binds it
    return sql<{ n: number }>`SELECT ${len}::int AS n`;
  });
  await assert.rejects(q.first(h.db, { code: 'abc' }), /"code" does not reach the SQL/);
});
