import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { ATK, itemFor, openStage, opdIdOf, sub, subsOf } from './testing.ts';

let t: TestContext;
let stageId: number;
let dinkes: number;
let subId: number;
const P = '/api/v1/budget';

before(async () => {
  t = await testApp();
  stageId = (await openStage(t)).id;
  dinkes = await opdIdOf(t, 'dinkes');
  subId = (await subsOf(t, stageId, dinkes)).find((s) => s.status === 'draft' && s.lines > 0)!.id;
});
after(async () => t?.close());

const act = async (action: string, user: string, id = subId, payload: object = {}) =>
  t.server.inject({ method: 'POST', url: `${P}/sub-kegiatan/${id}/${action}`, headers: await t.as(user), payload });
const status = async (id = subId) => (await sub(t, id)).status;
const EVERYONE = [
  'admin',
  'bappeda',
  'tapd',
  'dprd',
  'inspektorat',
  'tim_data',
  'dinkes.operator',
  'dinkes.head',
  'disdik.head',
  'disdik.operator',
];

test('submit: only the head of the OPD concerned; every other role is refused', async () => {
  for (const user of EVERYONE.filter((u) => u !== 'dinkes.head')) {
    const res = await act('submit', user);
    assert.equal(res.statusCode, 403, `${user} may not submit: ${res.body}`);
  }
  assert.equal(await status(), 'draft');
  const ok = await act('submit', 'dinkes.head', subId, { note: 'Mohon diverifikasi' });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(json(ok).status, 'submitted');
  // TAPD is told
  const notes = json(
    await t.server.inject({ method: 'GET', url: `${P}/notifications?unread=true`, headers: await t.as('tapd') }),
  );
  assert.ok(
    notes.rows.some(
      (n: { message_key: string; sub_kegiatan_id: number }) =>
        n.message_key === 'bud.notify.submitted' && n.sub_kegiatan_id === subId,
    ),
  );
  // while submitted the operator cannot change it
  const item = await itemFor(t, ATK);
  const add = await t.server.inject({
    method: 'POST',
    url: `${P}/sub-kegiatan/${subId}/lines`,
    headers: await t.as('dinkes.operator'),
    payload: { account_code: ATK, item_id: item.itemId, factors: [{ v: '1', u: 'Buah' }] },
  });
  assert.equal(add.statusCode, 423);
  // submitting again is not a transition
  assert.equal((await act('submit', 'dinkes.head')).statusCode, 422);
});

test('return: only TAPD, with a note and notes per line that the OPD sees', async () => {
  const s = await sub(t, subId);
  const line = s.lines[0];
  const payload = { note: 'Volume ATK terlalu besar', line_notes: [{ line_id: line.id, note: 'Kurangi volume' }] };
  for (const user of EVERYONE.filter((u) => u !== 'tapd')) {
    assert.equal((await act('return', user, subId, payload)).statusCode, 403, `${user} may not return`);
  }
  const ok = await act('return', 'tapd', subId, payload);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(json(ok).status, 'returned');
  assert.equal(json(ok).review_note, 'Volume ATK terlalu besar');
  const after = await sub(t, subId);
  assert.equal(after.lines.find((l: { id: string }) => l.id === line.id).review_note, 'Kurangi volume');
  assert.equal(after.reviews[0].action, 'return');
  assert.deepEqual(after.reviews[0].line_notes, [{ line_id: line.id, note: 'Kurangi volume' }]);
  for (const user of ['dinkes.operator', 'dinkes.head']) {
    const notes = json(await t.server.inject({ method: 'GET', url: `${P}/notifications`, headers: await t.as(user) }));
    assert.ok(
      notes.rows.some((n: { message_key: string }) => n.message_key === 'bud.notify.returned'),
      user,
    );
  }
  // another OPD does not see it
  const other = json(
    await t.server.inject({ method: 'GET', url: `${P}/notifications`, headers: await t.as('disdik.operator') }),
  );
  assert.ok(!other.rows.some((n: { sub_kegiatan_id: number | null }) => n.sub_kegiatan_id === subId));
  // the operator revises the returned sub kegiatan
  const upd = await t.server.inject({
    method: 'PATCH',
    url: `${P}/lines/${line.id}`,
    headers: await t.as('dinkes.operator'),
    payload: { version: line.version, factors: [{ v: '1', u: line.factors[0].u }] },
  });
  assert.equal(upd.statusCode, 200, upd.body);
  // and the change shows in TAPD's flags as changed since the last review
  const flags = json(
    await t.server.inject({
      method: 'GET',
      url: `${P}/stages/${stageId}/flags?opd_id=${dinkes}`,
      headers: await t.as('tapd'),
    }),
  ).rows;
  assert.ok(
    flags.some((f: { id: string; changed_since_review: boolean }) => f.id === line.id && f.changed_since_review),
  );
});

test('approve: only TAPD; an approved sub kegiatan is locked; reopen only by TAPD', async () => {
  assert.equal((await act('submit', 'dinkes.head')).statusCode, 200);
  for (const user of EVERYONE.filter((u) => u !== 'tapd')) {
    assert.equal((await act('approve', user)).statusCode, 403, `${user} may not approve`);
  }
  const ok = await act('approve', 'tapd');
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(json(ok).status, 'approved');
  const s = await sub(t, subId);
  assert.equal(
    s.lines.filter((l: { review_note: string | null }) => l.review_note).length,
    0,
    'line notes are cleared on approval',
  );
  const line = s.lines[0];
  const upd = await t.server.inject({
    method: 'PATCH',
    url: `${P}/lines/${line.id}`,
    headers: await t.as('dinkes.operator'),
    payload: { version: line.version, group_header: 'x' },
  });
  assert.equal(upd.statusCode, 423);
  assert.match(json(upd).message, /disetujui/);
  assert.equal((await act('submit', 'dinkes.head')).statusCode, 422, 'an approved sub kegiatan is not submitted again');
  assert.equal(
    (await act('return', 'tapd', subId, { note: 'terlambat' })).statusCode,
    422,
    'an approved sub kegiatan is not returned',
  );
  for (const user of EVERYONE.filter((u) => u !== 'tapd')) {
    assert.equal((await act('reopen', user)).statusCode, 403, `${user} may not reopen`);
  }
  const reopen = await act('reopen', 'tapd', subId, { note: 'Penyesuaian pagu' });
  assert.equal(reopen.statusCode, 200, reopen.body);
  assert.equal(json(reopen).status, 'returned');
  // every transition is in the audit trail
  const audit = await t.db
    .selectFrom('core_audit_log')
    .select('action')
    .where('pemda_id', '=', t.pemdaId)
    .where('entity', '=', 'bud_sub_kegiatan')
    .where('entity_id', '=', String(subId))
    .orderBy('seq')
    .execute();
  assert.deepEqual(
    audit.map((a) => a.action),
    ['submit', 'return', 'submit', 'approve', 'reopen'],
  );
});

test('approve or return a draft is refused; an empty sub kegiatan cannot be submitted', async () => {
  const draft = (await subsOf(t, stageId, dinkes)).find((s) => s.status === 'draft' && s.id !== subId)!;
  assert.equal((await act('approve', 'tapd', draft.id)).statusCode, 422);
  assert.equal((await act('return', 'tapd', draft.id, { note: 'tidak' })).statusCode, 422);
  // the operator adds a sub kegiatan of the OPD's bidang (no lines yet) — not of another bidang
  const taken = new Set((await subsOf(t, stageId, dinkes)).map((s) => s.code));
  const free = (
    await t.db
      .selectFrom('md_nomenclature')
      .select('code')
      .where('pemda_id', '=', t.pemdaId)
      .where('year', '=', 2027)
      .where('level', '=', 'sub_kegiatan')
      .where('code', 'like', '1.02.%')
      .execute()
  ).find((n) => !taken.has(n.code))!;
  const created = await t.server.inject({
    method: 'POST',
    url: `${P}/stages/${stageId}/opds/${dinkes}/sub-kegiatan`,
    headers: await t.as('dinkes.operator'),
    payload: { code: free.code, location: 'Kecamatan Sukamaju' },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(json(created).ceiling, '0');
  const foreign = await t.server.inject({
    method: 'POST',
    url: `${P}/stages/${stageId}/opds/${dinkes}/sub-kegiatan`,
    headers: await t.as('dinkes.operator'),
    payload: { code: '1.03.10.2.01.0051' },
  });
  assert.equal(foreign.statusCode, 422);
  assert.equal(json(foreign).fields[0].field, 'code');
  const empty = await act('submit', 'dinkes.head', json(created).id);
  assert.equal(empty.statusCode, 422);
  assert.match(json(empty).message, /belum memiliki rincian/);
  // with no ceiling, any line is over it
  const item = await itemFor(t, ATK);
  const over = await t.server.inject({
    method: 'POST',
    url: `${P}/sub-kegiatan/${json(created).id}/lines`,
    headers: await t.as('dinkes.operator'),
    payload: { account_code: ATK, item_id: item.itemId, factors: [{ v: '1', u: 'Buah' }] },
  });
  assert.equal(over.statusCode, 422);
  assert.match(json(over).message, /pagu/);
});

test('the head submits the whole RKA: every draft or returned sub kegiatan with lines', async () => {
  const before = await subsOf(t, stageId, dinkes);
  const eligible = before.filter((s) => (s.status === 'draft' || s.status === 'returned') && s.lines > 0);
  assert.ok(eligible.length > 1);
  assert.equal(
    (
      await t.server.inject({
        method: 'POST',
        url: `${P}/stages/${stageId}/opds/${dinkes}/submit`,
        headers: await t.as('dinkes.operator'),
        payload: {},
      })
    ).statusCode,
    403,
  );
  assert.equal(
    (
      await t.server.inject({
        method: 'POST',
        url: `${P}/stages/${stageId}/opds/${dinkes}/submit`,
        headers: await t.as('disdik.head'),
        payload: {},
      })
    ).statusCode,
    403,
  );
  const res = await t.server.inject({
    method: 'POST',
    url: `${P}/stages/${stageId}/opds/${dinkes}/submit`,
    headers: await t.as('dinkes.head'),
    payload: {},
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(json(res).rows.length, eligible.length);
  const after = await subsOf(t, stageId, dinkes);
  for (const s of eligible) assert.equal(after.find((x) => x.id === s.id)!.status, 'submitted');
  assert.equal(
    (
      await t.server.inject({
        method: 'POST',
        url: `${P}/stages/${stageId}/opds/${dinkes}/submit`,
        headers: await t.as('dinkes.head'),
        payload: {},
      })
    ).statusCode,
    422,
    'nothing left to submit',
  );
  // TAPD's review: progress per OPD
  const opds = json(
    await t.server.inject({ method: 'GET', url: `${P}/stages/${stageId}/opds`, headers: await t.as('tapd') }),
  ).rows;
  const row = opds.find((o: { opd_id: number }) => o.opd_id === dinkes);
  assert.equal(row.submitted, after.filter((s) => s.status === 'submitted').length);
  // notifications are marked read per user
  const tapd = await t.as('tapd');
  const unread = json(await t.server.inject({ method: 'GET', url: `${P}/notifications`, headers: tapd })).unread;
  assert.ok(unread > 0);
  const marked = await t.server.inject({ method: 'POST', url: `${P}/notifications/read`, headers: tapd, payload: {} });
  assert.equal(json(marked).marked, unread);
  assert.equal(json(await t.server.inject({ method: 'GET', url: `${P}/notifications`, headers: tapd })).unread, 0);
});
