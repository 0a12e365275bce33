// The category table edited by the administrator: API and pages, bad input field by field, a stale
// or concurrent edit refused (never a lost update), the audit record, and who may edit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { listOpds } from '../master-data/index.ts';
import type { Category } from './incidents.service.ts';

let t: TestContext;
let opd: Record<string, number> = {};
type Cat = Category;

before(async () => {
  t = await testApp();
  opd = Object.fromEntries((await listOpds(t.db, t.pemdaId)).map((o) => [o.shortName, o.id]));
});
after(async () => t?.close());

const categories = async (): Promise<Record<string, Cat>> =>
  Object.fromEntries(
    (
      json(await t.server.inject({ method: 'GET', url: '/api/v1/cc/categories', headers: await t.as('cc_operator') }))
        .rows as Cat[]
    ).map((c) => [c.code, c]),
  );
const put = async (id: number, body: unknown, user = 'admin') =>
  t.server.inject({
    method: 'PUT',
    url: `/api/v1/cc/categories/${id}`,
    headers: await t.as(user),
    payload: body as object,
  });
const editable = (c: Cat) => {
  const { id: _i, code: _c, ...rest } = c;
  return rest;
};

test('the administrator changes a category: responding OPD and targets; the audit keeps before and after', async () => {
  const kll = (await categories()).KLL!;
  const res = await put(kll.id, {
    ...editable(kll),
    opd_ids: [opd.dishub, opd.damkar],
    arrive_min: kll.arrive_min + 5,
  });
  assert.equal(res.statusCode, 200, res.body);
  const after = (await categories()).KLL!;
  assert.deepEqual([...after.opd_ids].sort(), [opd.dishub!, opd.damkar!].sort());
  assert.equal(after.arrive_min, kll.arrive_min + 5);
  assert.equal(after.version, kll.version + 1);
  const audit = await t.db
    .selectFrom('core_audit_log')
    .select(['before', 'after', 'actor_name', 'actor_id'])
    .where('entity', '=', 'cc_category')
    .where('entity_id', '=', String(kll.id))
    .where('action', '=', 'update')
    .executeTakeFirstOrThrow();
  const b = (typeof audit.before === 'string' ? JSON.parse(audit.before) : audit.before) as Cat;
  const a = (typeof audit.after === 'string' ? JSON.parse(audit.after) : audit.after) as Cat;
  assert.deepEqual([...b.opd_ids].sort(), [...kll.opd_ids].sort());
  assert.deepEqual([...a.opd_ids].sort(), [opd.dishub!, opd.damkar!].sort());
  assert.ok(audit.actor_id !== null && audit.actor_name.length > 0, 'the actor is recorded');
});

test('bad input is a 400 naming each field in Indonesian; nothing changes', async () => {
  const kbk = (await categories()).KBK!;
  const bad = await put(kbk.id, {
    ...editable(kbk),
    priority: '',
    dispatch_min: '0x10',
    arrive_min: 10,
    resolve_min: 5,
    opd_ids: [opd.damkar, opd.damkar],
  });
  assert.equal(bad.statusCode, 400);
  const fields = (json(bad).fields as Array<{ field: string; message: string }>).map((f) => f.field);
  for (const f of ['priority', 'dispatch_min']) assert.ok(fields.includes(f), `${f} named in ${fields}`);
  const order = await put(kbk.id, {
    ...editable(kbk),
    arrive_min: 10,
    resolve_min: 5,
    opd_ids: [opd.damkar, opd.damkar],
  });
  assert.equal(order.statusCode, 400);
  const msgs = Object.fromEntries(
    (json(order).fields as Array<{ field: string; message: string }>).map((f) => [f.field, f.message]),
  );
  assert.match(msgs.resolve_min!, /tidak boleh lebih pendek/);
  assert.match(msgs.opd_ids!, /dua kali/);
  const unknown = await put(kbk.id, { ...editable(kbk), opd_ids: [opd.damkar, 999999] });
  assert.equal(unknown.statusCode, 400);
  assert.equal(json(unknown).fields[0].field, 'opd_ids.1');
  assert.deepEqual((await categories()).KBK, kbk, 'nothing changed');
});

test('a stale edit is refused with 409; of two concurrent edits of one version exactly one wins', async () => {
  const phn = (await categories()).PHN!;
  const [r1, r2] = await Promise.all([
    put(phn.id, { ...editable(phn), dispatch_min: phn.dispatch_min + 1 }),
    put(phn.id, { ...editable(phn), resolve_min: phn.resolve_min + 60 }),
  ]);
  assert.deepEqual([r1.statusCode, r2.statusCode].sort(), [200, 409]);
  const now = (await categories()).PHN!;
  assert.equal(now.version, phn.version + 1);
  const winner = r1.statusCode === 200 ? 'dispatch' : 'resolve';
  assert.equal(now.dispatch_min, phn.dispatch_min + (winner === 'dispatch' ? 1 : 0));
  assert.equal(now.resolve_min, phn.resolve_min + (winner === 'resolve' ? 60 : 0));
  // the old version again: refused, nothing overwritten
  assert.equal((await put(phn.id, { ...editable(phn), priority: 4 })).statusCode, 409);
  assert.equal((await categories()).PHN!.priority, phn.priority);
});

test('only the administrator edits categories (API and pages)', async () => {
  const med = (await categories()).MED!;
  for (const user of ['cc_operator', 'dinkes.unit', 'bappeda']) {
    assert.equal((await put(med.id, editable(med), user)).statusCode, 403, user);
  }
  const s = await t.session('cc_operator');
  const page = await t.server.inject({
    method: 'GET',
    url: '/command-center/categories',
    headers: { ...s.headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 403);
});

test('the pages: list, edit form with the OPD ticked, errors keep what was typed, saving says what it did', async () => {
  const s = await t.session('admin');
  const get = (url: string) => t.server.inject({ method: 'GET', url, headers: { ...s.headers, accept: 'text/html' } });
  const post = (url: string, fields: Array<[string, string]>) =>
    t.server.inject({
      method: 'POST',
      url,
      headers: { ...s.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams([...fields, ['_csrf', s.csrf]]).toString(),
    });
  const list = await get('/command-center/categories');
  assert.equal(list.statusCode, 200);
  const bjr = (await categories()).BJR!;
  assert.ok(list.body.includes(`href="/command-center/categories/${bjr.id}/edit"`));
  const form = await get(`/command-center/categories/${bjr.id}/edit`);
  assert.equal(form.statusCode, 200);
  for (const o of bjr.opd_ids) assert.match(form.body, new RegExp(`name="opd_ids" value="${o}" checked`));
  const base: Array<[string, string]> = [
    ['version', String(bjr.version)],
    ['name_id', bjr.name_id],
    ['name_en', bjr.name_en],
    ['priority', '1'],
    ['dispatch_min', '5'],
    ['arrive_min', '30'],
    ['resolve_min', '240'],
    ['public', '1'],
    ['active', '1'],
    ...bjr.opd_ids.map((o): [string, string] => ['opd_ids', String(o)]),
  ];
  const bad = await post(`/command-center/categories/${bjr.id}/edit`, [
    ...base.filter(([k]) => k !== 'arrive_min'),
    ['arrive_min', '3'],
  ]);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="arrive_min-error"/);
  assert.match(bad.body, /name="arrive_min"[^>]*value="3"/, 'what was typed is kept');
  const ok = await post(`/command-center/categories/${bjr.id}/edit`, base);
  assert.equal(ok.statusCode, 303, ok.body);
  const after = await get(ok.headers.location as string);
  assert.match(after.body, /Kategori .* disimpan/);
  const now = (await categories()).BJR!;
  assert.equal(now.priority, 1);
  assert.equal(now.arrive_min, 30);
});
