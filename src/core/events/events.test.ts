import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { publish, pruneEvents, startEventPruner } from './events.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const count = async (channel: string) =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM core_event WHERE channel = ${channel}`.execute(t.db)).rows[0]!
      .n,
  );

test('events older than the retention are pruned; recent ones stay (by call and by the scheduled pruner)', async () => {
  const ch = 'test.prune';
  for (let i = 0; i < 3; i++) await publish(t.db, t.pemdaId, ch, { i });
  // two of them are 40 days old
  await sql`UPDATE core_event SET at = now() - interval '40 days'
             WHERE id IN (SELECT id FROM core_event WHERE channel = ${ch} ORDER BY id LIMIT 2)`.execute(t.db);
  assert.equal(await pruneEvents(t.db, 30), 2);
  assert.equal(await count(ch), 1);
  // the scheduled pruner does the same on its own
  await sql`UPDATE core_event SET at = now() - interval '40 days' WHERE channel = ${ch}`.execute(t.db);
  const errors: unknown[] = [];
  const pruner = startEventPruner(t.db, { everyMs: 20, olderThanDays: 30, onError: (e) => errors.push(e) });
  for (let i = 0; i < 200 && (await count(ch)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  await pruner.stop();
  assert.equal(await count(ch), 0);
  assert.deepEqual(errors, []);
});
