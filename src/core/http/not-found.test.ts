// An object of another Pemda is 404 whether it is read, listed or written: the budgeting ceilings
// (was 422) and the OPD-filtered listings (were 200 with no rows) included.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { ensurePemda } from '../tenancy.ts';

let t: TestContext;
let foreignOpd: number;
let ownOpd: number;
let stageId: number;
before(async () => {
  t = await testApp();
  const other = await ensurePemda(t.db, { code: '99.77', name: 'Kota Lain', kind: 'kota' });
  const opd = await sql<{ id: number }>`
    SELECT id FROM md_organisation WHERE pemda_id = ${t.pemdaId} AND kind = 'opd' ORDER BY id LIMIT 1`.execute(t.db);
  ownOpd = opd.rows[0]!.id;
  // the same OPD row, copied into the other Pemda under an id this Pemda does not use
  const r = await sql<{ id: number }>`
    INSERT INTO md_organisation
    SELECT (jsonb_populate_record(NULL::md_organisation,
              to_jsonb(o) || jsonb_build_object('pemda_id', ${other.id}::int,
                                                'id', (SELECT max(id) + 1000 FROM md_organisation)))).*
    FROM md_organisation o WHERE o.pemda_id = ${t.pemdaId} AND o.id = ${ownOpd}
    RETURNING id`.execute(t.db);
  foreignOpd = r.rows[0]!.id;
  const stages = json(
    await t.server.inject({ method: 'GET', url: '/api/v1/budget/stages', headers: await t.as('tapd') }),
  );
  stageId = stages.stages.find((s: { status: string }) => s.status === 'open')?.id ?? stages.stages[0].id;
});
after(async () => t?.close());

test("another Pemda's OPD: ceiling writes and OPD-filtered listings answer 404", async () => {
  const h = await t.as('tapd');
  const put = await t.server.inject({
    method: 'PUT',
    url: `/api/v1/budget/stages/${stageId}/opds/${foreignOpd}/ceiling`,
    headers: h,
    payload: { ceiling: '1000000' },
  });
  assert.equal(put.statusCode, 404, put.body);
  assert.ok(/\s/.test(json(put).message), 'a sentence');
  const sub = await t.server.inject({
    method: 'PUT',
    url: `/api/v1/budget/stages/${stageId}/opds/${foreignOpd}/sub-kegiatan-ceiling`,
    headers: h,
    payload: { code: '1.02.02.2.01.0001', ceiling: '1000' },
  });
  assert.equal(sub.statusCode, 404, sub.body);
  for (const path of ['opds', 'locks']) {
    const list = await t.server.inject({
      method: 'GET',
      url: `/api/v1/budget/stages/${stageId}/${path}?opd_id=${foreignOpd}`,
      headers: h,
    });
    assert.equal(list.statusCode, 404, `${path}: ${list.body}`);
    // the own OPD still lists
    const own = await t.server.inject({
      method: 'GET',
      url: `/api/v1/budget/stages/${stageId}/${path}?opd_id=${ownOpd}`,
      headers: h,
    });
    assert.equal(own.statusCode, 200, `${path}: ${own.body}`);
  }
});
