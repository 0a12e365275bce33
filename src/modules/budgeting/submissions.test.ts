// The RKA as submitted: each submit writes a snapshot of the sub kegiatan's lines (per account and
// funding source) in the same transaction; a resubmission after a return writes a new one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listSubmissions, proposedAmounts } from './index.ts';
import { openStage, opdIdOf, sub, subsOf, sumLines } from './testing.ts';

let t: TestContext;
let stageId: number;
let dinkes: number;
const P = '/api/v1/budget';

before(async () => {
  t = await testApp();
  stageId = (await openStage(t)).id;
  dinkes = await opdIdOf(t, 'dinkes');
});
after(async () => t?.close());

const act = async (action: string, user: string, id: number, payload: object = {}) =>
  t.server.inject({ method: 'POST', url: `${P}/sub-kegiatan/${id}/${action}`, headers: await t.as(user), payload });

/** The lines of a sub kegiatan summed per account and funding source, straight from bud_line. */
async function linesByKey(subId: number): Promise<Map<string, string>> {
  const r = await sql<{ k: string; s: string }>`
    SELECT account_code || '|' || coalesce(funding_source_id::text, '') AS k, sum(total)::text AS s
      FROM bud_line WHERE pemda_id = ${t.pemdaId} AND sub_kegiatan_id = ${subId} GROUP BY 1`.execute(t.db);
  return new Map(r.rows.map((x) => [x.k, x.s]));
}
const snapshotByKey = (s: Awaited<ReturnType<typeof listSubmissions>>[number]) =>
  new Map(s.amounts.map((a) => [`${a.account_code}|${a.funding_source_id ?? ''}`, a.amount]));

test('submit writes a snapshot of the lines; a resubmission after a return writes a new one, the first is kept', async () => {
  const subId = (await subsOf(t, stageId, dinkes)).find((s) => s.status === 'draft' && s.lines > 0)!.id;
  assert.deepEqual(await listSubmissions(t.db, t.pemdaId, subId), [], 'no snapshot before the submit');
  const first = await linesByKey(subId);
  const firstTotal = await sumLines(t, subId);

  assert.equal((await act('submit', 'dinkes.head', subId)).statusCode, 200);
  let subs = await listSubmissions(t.db, t.pemdaId, subId);
  assert.equal(subs.length, 1);
  assert.equal(subs[0]!.number, 1);
  assert.equal(subs[0]!.actor_name, 'dinkes.head');
  assert.equal(subs[0]!.total, firstTotal.toString());
  assert.deepEqual(snapshotByKey(subs[0]!), first, 'the snapshot is the lines per account and funding source');
  // linked to the review row of the submit
  const review = await sql<{ action: string }>`
    SELECT r.action FROM bud_submission s JOIN bud_review r ON r.pemda_id = s.pemda_id AND r.id = s.review_id
     WHERE s.pemda_id = ${t.pemdaId} AND s.id = ${subs[0]!.id}`.execute(t.db);
  assert.equal(review.rows[0]?.action, 'submit');

  // TAPD returns it, the operator changes a line, the head submits again
  assert.equal((await act('return', 'tapd', subId, { note: 'Kurangi volume' })).statusCode, 200);
  const s = await sub(t, subId);
  const line = s.lines.find((l: { travel_id: number | null }) => l.travel_id === null);
  const patched = await t.server.inject({
    method: 'PATCH',
    url: `${P}/lines/${line.id}`,
    headers: await t.as('dinkes.operator'),
    payload: { version: line.version, factors: [{ v: '1', u: line.factors[0].u }] },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.notEqual(json(patched).total, line.total, 'the line changed');
  // editing after the return does not touch the snapshot
  subs = await listSubmissions(t.db, t.pemdaId, subId);
  assert.equal(subs.length, 1);
  assert.deepEqual(snapshotByKey(subs[0]!), first);

  assert.equal((await act('submit', 'dinkes.head', subId)).statusCode, 200);
  subs = await listSubmissions(t.db, t.pemdaId, subId);
  assert.deepEqual(
    subs.map((x) => x.number),
    [2, 1],
  );
  const second = await linesByKey(subId);
  assert.deepEqual(snapshotByKey(subs[0]!), second, 'the new snapshot has the changed line');
  assert.notDeepEqual(snapshotByKey(subs[0]!), snapshotByKey(subs[1]!));
  assert.equal(subs[1]!.total, firstTotal.toString(), 'the first submission is kept as it was');

  // the proposed budget of the stage takes the latest submission (internal read: not yet approved)
  const proposed = (await proposedAmounts(t.db, t.pemdaId, stageId, false)).filter(
    (p) => p.sub_kegiatan_code === s.code && p.opd_id === dinkes,
  );
  assert.deepEqual(new Map(proposed.map((p) => [`${p.account_code}|${p.funding_source_id ?? ''}`, p.total])), second);
  // the public read shows it only once the sub kegiatan is approved
  const publicRows = async () =>
    (await proposedAmounts(t.db, t.pemdaId, stageId)).filter((p) => p.sub_kegiatan_code === s.code);
  assert.deepEqual(await publicRows(), []);
  assert.equal((await act('approve', 'tapd', subId)).statusCode, 200);
  assert.equal((await publicRows()).length, second.size);
});

test('submitting the whole RKA writes one snapshot per sub kegiatan submitted', async () => {
  const disdik = await opdIdOf(t, 'disdik');
  const before = (await subsOf(t, stageId, disdik)).filter(
    (s) => (s.status === 'draft' || s.status === 'returned') && s.lines > 0,
  );
  assert.ok(before.length > 0, 'the demo has something to submit');
  const counts = async () =>
    Promise.all(before.map(async (s) => (await listSubmissions(t.db, t.pemdaId, s.id)).length));
  const was = await counts();
  const res = await t.server.inject({
    method: 'POST',
    url: `${P}/stages/${stageId}/opds/${disdik}/submit`,
    headers: await t.as('disdik.head'),
    payload: {},
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(
    await counts(),
    was.map((n) => n + 1),
  );
});

test('a refused submit writes no snapshot (same transaction)', async () => {
  const s = (await subsOf(t, stageId, dinkes)).find((x) => x.status === 'submitted' || x.status === 'approved')!;
  const n = (await listSubmissions(t.db, t.pemdaId, s.id)).length;
  assert.equal((await act('submit', 'dinkes.head', s.id)).statusCode, 422);
  assert.equal((await listSubmissions(t.db, t.pemdaId, s.id)).length, n);
});
