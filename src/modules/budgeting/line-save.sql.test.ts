// The SQL of one line save, kept in line-save.sql.snap (in the style of Immich's SQL snapshots):
// a change that adds a statement to the deadline-day path shows in review. Update the file with
// UPDATE_SQL_SNAPSHOTS=1 after a deliberate change.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { observeQueries } from '../../core/db/database.ts';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { ATK, itemFor, openStage, opdIdOf, subsOf } from './testing.ts';

const file = fileURLToPath(new URL('./line-save.sql.snap', import.meta.url));
let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => {
  observeQueries(null);
  await t?.close();
});

test('one catalogue-priced line save through the API issues exactly the statements of line-save.sql.snap', async () => {
  const stage = await openStage(t);
  const opdId = await opdIdOf(t, 'disdik');
  const target = (await subsOf(t, stage.id, opdId)).find((s) => s.status === 'draft')!;
  const item = await itemFor(t, ATK);
  const { headers } = await t.session('disdik.operator');
  const save = () =>
    t.server.inject({
      method: 'POST',
      url: `/api/v1/budget/sub-kegiatan/${target.id}/lines`,
      headers,
      payload: { account_code: ATK, item_id: item.itemId, factors: [{ v: '2', u: 'Buah' }] },
    });
  assert.equal((await save()).statusCode, 201); // warm caches (the Pemda row)
  const seen: string[] = [];
  // the same on both databases: the PostgreSQL driver says `begin`, the PGlite dialect `BEGIN`
  observeQueries((q) => {
    const one = q.replace(/\s+/g, ' ').trim();
    seen.push(/^(begin|commit|rollback)$/i.test(one) ? one.toUpperCase() : one);
  });
  const res = await save();
  observeQueries(null);
  assert.equal(res.statusCode, 201, res.body);
  const text = `-- ${seen.length} statements for one line save (POST /api/v1/budget/sub-kegiatan/{id}/lines, session + CSRF)\n${seen.join(';\n')};\n`;
  if (process.env.UPDATE_SQL_SNAPSHOTS || !fs.existsSync(file)) fs.writeFileSync(file, text);
  assert.equal(
    text,
    fs.readFileSync(file, 'utf8'),
    'the statements of a line save changed: review, then UPDATE_SQL_SNAPSHOTS=1',
  );
});
