import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { getCurrentPrice, getPriceVersion, searchCatalogue } from './index.ts';
import { verifyProposal } from './catalogue.service.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const API = '/api/v1/catalogue';

async function post(user: string, url: string, payload: object) {
  return t.server.inject({ method: 'POST', url: `${API}${url}`, headers: await t.as(user), payload });
}

async function itemByName(name: string, year = 2027) {
  const r = await searchCatalogue(t.db, t.pemdaId, { year, text: name });
  const hit = r.rows.find((x) => x.name === name);
  assert.ok(hit, name);
  return hit;
}

async function auditOf(entity: string, id: number) {
  return t.db
    .selectFrom('core_audit_log')
    .select(['action', 'actor_name', 'opd_id', 'after'])
    .where('pemda_id', '=', t.pemdaId)
    .where('entity', '=', entity)
    .where('entity_id', '=', String(id))
    .orderBy('seq')
    .execute();
}

test('the demo seed holds proposals at every status', async () => {
  const res = await t.server.inject({ url: `${API}/proposals?limit=100`, headers: await t.as('tapd') });
  const statuses = new Set(json(res).rows.map((r: { status: string }) => r.status));
  assert.deepEqual([...statuses].sort(), ['approved', 'rejected', 'returned', 'submitted', 'verified']);
  const bus = await itemByName('Sewa bus 45 kursi');
  assert.equal(bus.version, 2);
  assert.equal(bus.price, '3750000');
  assert.equal((await getPriceVersion(t.db, t.pemdaId, bus.itemId, 1))?.price, '3500000');
});

test('price change: OPD proposes, Tim Data verifies, TAPD approves; every refused step is refused', async () => {
  const item = await itemByName('Pertalite');
  const proposed = await post('dinkes.operator', '/proposals', {
    item_id: item.itemId,
    price: '10500',
    justification: 'Harga eceran di SPBU kabupaten naik sejak Oktober 2026.',
  });
  assert.equal(proposed.statusCode, 201, proposed.body);
  let p = json(proposed);
  assert.equal(p.status, 'submitted');
  assert.equal(p.baseVersion, 1);
  assert.equal(p.name, 'Pertalite');
  assert.deepEqual(p.accounts, ['5.1.02.01.01.0004']);

  // wrong roles: 403
  assert.equal((await post('dinkes.operator', `/proposals/${p.id}/verify`, { version: p.version })).statusCode, 403);
  assert.equal((await post('dinkes.head', `/proposals/${p.id}/approve`, { version: p.version })).statusCode, 403);
  assert.equal((await post('tapd', `/proposals/${p.id}/verify`, { version: p.version })).statusCode, 403);
  assert.equal((await post('tim_data', `/proposals/${p.id}/approve`, { version: p.version })).statusCode, 403);
  assert.equal((await post('admin', `/proposals/${p.id}/approve`, { version: p.version })).statusCode, 403);
  assert.equal(
    (await post('inspektorat', `/proposals/${p.id}/return`, { version: p.version, note: 'x' })).statusCode,
    403,
  );
  // TAPD cannot skip verification: approve needs status verified
  const skip = await post('tapd', `/proposals/${p.id}/approve`, { version: p.version });
  assert.equal(skip.statusCode, 409);
  assert.match(json(skip).message, /berstatus Diajukan/);
  // the service enforces the roles too (not only the routes)
  const tapd = {
    pemdaId: t.pemdaId,
    userId: 0,
    username: 'x',
    fullName: 'x',
    role: 'tapd' as const,
    opdId: null,
    regionId: null,
    via: 'cli' as const,
    grants: t.app.registry.permissions,
  };
  await assert.rejects(
    verifyProposal(t.db, tapd, p.id, { version: p.version }),
    (e: { status?: number }) => e.status === 403,
  );
  // a stale version: 409
  assert.equal((await post('tim_data', `/proposals/${p.id}/verify`, { version: p.version + 5 })).statusCode, 409);

  const verified = await post('tim_data', `/proposals/${p.id}/verify`, {
    version: p.version,
    note: 'Sesuai harga Pertamina.',
  });
  assert.equal(verified.statusCode, 200, verified.body);
  p = json(verified);
  assert.equal(p.status, 'verified');
  assert.equal(p.verifiedByName, 'Tim Data Harga');
  // not twice, not returned once verified
  assert.equal((await post('tim_data', `/proposals/${p.id}/verify`, { version: p.version })).statusCode, 409);
  assert.equal(
    (await post('tim_data', `/proposals/${p.id}/return`, { version: p.version, note: 'ulang' })).statusCode,
    409,
  );
  // a reject needs its reason
  const noReason = await post('tapd', `/proposals/${p.id}/reject`, { version: p.version, reason: '' });
  assert.equal(noReason.statusCode, 400);
  assert.equal(json(noReason).fields[0].field, 'reason');
  // the item is still at version 1 until approval
  assert.equal((await getCurrentPrice(t.db, t.pemdaId, item.itemId))?.version, 1);

  const approved = await post('tapd', `/proposals/${p.id}/approve`, { version: p.version, note: 'OK' });
  assert.equal(approved.statusCode, 200, approved.body);
  p = json(approved);
  assert.equal(p.status, 'approved');
  assert.equal(p.resultItemId, item.itemId);
  assert.equal(p.resultVersion, 2);
  const now = await getCurrentPrice(t.db, t.pemdaId, item.itemId);
  assert.equal(now?.version, 2);
  assert.equal(now?.price, '10500');
  assert.equal(
    (await getPriceVersion(t.db, t.pemdaId, item.itemId, 1))?.price,
    '10000',
    'the old version stays readable',
  );
  const detail = json(await t.server.inject({ url: `${API}/items/${item.itemId}`, headers: await t.as('dprd') }));
  assert.equal(detail.versions[0].source, 'proposal');
  assert.equal(detail.versions[0].proposalId, p.id);
  assert.equal(detail.versions[0].approvedByName, 'Verifikator TAPD');
  // terminal
  assert.equal(
    (await post('tapd', `/proposals/${p.id}/reject`, { version: p.version, reason: 'terlambat' })).statusCode,
    409,
  );

  // audited: every transition, with the OPD
  const dinkes = (
    await t.db
      .selectFrom('usr_user')
      .select('opd_id')
      .where('pemda_id', '=', t.pemdaId)
      .where('username', '=', 'dinkes.operator')
      .executeTakeFirstOrThrow()
  ).opd_id;
  const trail = await auditOf('cat_proposal', p.id);
  assert.deepEqual(
    trail.map((a) => [a.action, a.actor_name]),
    [
      ['propose', 'dinkes.operator'],
      ['verify', 'tim_data'],
      ['approve', 'tapd'],
    ],
  );
  assert.ok(trail.every((a) => a.opd_id === dinkes));
  const itemTrail = await auditOf('cat_item', item.itemId);
  assert.equal(itemTrail.at(-1)!.action, 'price_change');
  assert.equal((itemTrail.at(-1)!.after as { price: string }).price, '10500');
});

test('new item: Tim Data needs a code, returns; the OPD resubmits; TAPD approves; the item is usable', async () => {
  const created = await post('dinkes.head', '/proposals', {
    year: 2027,
    kind: 'SSH',
    name: 'Masker medis 3 ply',
    spec: 'isi 50 lembar',
    unit: 'Box',
    price: '45.000',
    tkdn: '90',
    accounts: ['5.1.02.01.01.0024'],
    justification: 'Kebutuhan pelayanan puskesmas; belum ada di SSH.',
  });
  assert.equal(created.statusCode, 201, created.body);
  let p = json(created);
  assert.equal(p.code, null);
  assert.equal(p.price, '45000');

  const noCode = await post('tim_data', `/proposals/${p.id}/verify`, { version: p.version });
  assert.equal(noCode.statusCode, 400);
  assert.equal(json(noCode).fields[0].field, 'code');
  const taken = await post('tim_data', `/proposals/${p.id}/verify`, { version: p.version, code: '1.1.12.01.01.0001' });
  assert.equal(taken.statusCode, 409);

  const returned = await post('tim_data', `/proposals/${p.id}/return`, {
    version: p.version,
    note: 'Lampirkan tiga penawaran.',
  });
  assert.equal(returned.statusCode, 200, returned.body);
  p = json(returned);
  assert.equal(p.status, 'returned');
  assert.equal(p.verifyNote, 'Lampirkan tiga penawaran.');
  // returned proposals cannot be verified or approved
  assert.equal(
    (await post('tim_data', `/proposals/${p.id}/verify`, { version: p.version, code: '1.1.12.01.01.0950' })).statusCode,
    409,
  );
  // another OPD cannot resubmit it (403), nor even see it (404)
  assert.equal(
    (await post('bappeda.operator', `/proposals/${p.id}/resubmit`, { version: p.version, price: '1' })).statusCode,
    403,
  );
  assert.equal(
    (await t.server.inject({ url: `${API}/proposals/${p.id}`, headers: await t.as('bappeda.operator') })).statusCode,
    404,
  );
  const theirList = json(
    await t.server.inject({ url: `${API}/proposals?limit=500`, headers: await t.as('bappeda.operator') }),
  );
  assert.ok(theirList.rows.every((r: { id: number }) => r.id !== p.id));
  // Tim Data and TAPD cannot resubmit for the OPD
  assert.equal((await post('tim_data', `/proposals/${p.id}/resubmit`, { version: p.version })).statusCode, 403);

  const again = await post('dinkes.operator', `/proposals/${p.id}/resubmit`, {
    version: p.version,
    price: '42000',
    code: '1.1.12.01.01.0950',
    justification: 'Tiga penawaran: Rp 41.000, Rp 42.000, Rp 43.500.',
  });
  assert.equal(again.statusCode, 200, again.body);
  p = json(again);
  assert.equal(p.status, 'submitted');
  assert.equal(p.price, '42000');
  assert.equal(p.code, '1.1.12.01.01.0950');
  assert.equal(p.name, 'Masker medis 3 ply');

  p = json(await post('tim_data', `/proposals/${p.id}/verify`, { version: p.version }));
  assert.equal(p.status, 'verified');
  const approved = await post('tapd', `/proposals/${p.id}/approve`, { version: p.version });
  assert.equal(approved.statusCode, 200, approved.body);
  p = json(approved);
  const item = await getCurrentPrice(t.db, t.pemdaId, p.resultItemId);
  assert.equal(item?.code, '1.1.12.01.01.0950');
  assert.equal(item?.version, 1);
  assert.equal(item?.price, '42000');
  assert.equal(item?.tkdn, '90.00');
  assert.ok(
    (await searchCatalogue(t.db, t.pemdaId, { year: 2027, text: 'masker medis' })).rows.some(
      (r) => r.itemId === p.resultItemId,
    ),
  );
  const trail = await auditOf('cat_proposal', p.id);
  assert.deepEqual(
    trail.map((a) => a.action),
    ['propose', 'return', 'resubmit', 'verify', 'approve'],
  );
});

test('reject: TAPD refuses a verified proposal with its reason; nothing changes', async () => {
  const item = await itemByName('Snack rapat');
  let p = json(
    await post('disdik.operator', '/proposals', {
      item_id: item.itemId,
      price: '30000',
      justification: 'Harga kue naik menjelang akhir tahun.',
    }),
  );
  p = json(await post('tim_data', `/proposals/${p.id}/verify`, { version: p.version }));
  const rejected = await post('tapd', `/proposals/${p.id}/reject`, {
    version: p.version,
    reason: 'Melebihi standar biaya.',
  });
  assert.equal(rejected.statusCode, 200, rejected.body);
  p = json(rejected);
  assert.equal(p.status, 'rejected');
  assert.equal(p.decisionNote, 'Melebihi standar biaya.');
  assert.equal((await getCurrentPrice(t.db, t.pemdaId, item.itemId))?.price, item.price);
  assert.equal((await post('tapd', `/proposals/${p.id}/approve`, { version: p.version })).statusCode, 409);
  assert.equal((await post('disdik.operator', `/proposals/${p.id}/resubmit`, { version: p.version })).statusCode, 409);
});

test('proposing: only OPD roles, only for their own OPD, with a justification and valid accounts', async () => {
  const item = await itemByName('Kertas HVS F4 80 gram');
  const base = { item_id: item.itemId, price: '75000', justification: 'Survei harga tiga toko, November 2026.' };
  for (const user of ['tim_data', 'tapd', 'admin', 'dprd'])
    assert.equal((await post(user, '/proposals', base)).statusCode, 403, user);
  const bappeda = (
    await t.db
      .selectFrom('usr_user')
      .select('opd_id')
      .where('pemda_id', '=', t.pemdaId)
      .where('username', '=', 'bappeda.operator')
      .executeTakeFirstOrThrow()
  ).opd_id!;
  const foreign = await post('dinkes.operator', '/proposals', { ...base, opd_id: bappeda });
  assert.equal(foreign.statusCode, 403);
  assert.equal(json(foreign).error, 'forbidden');

  const short = await post('dinkes.operator', '/proposals', { ...base, justification: 'mahal' });
  assert.equal(short.statusCode, 400);
  assert.equal(json(short).fields[0].field, 'justification');
  const badAccount = await post('dinkes.operator', '/proposals', {
    ...base,
    accounts: ['5.1.02.01.01.0024', '5.1.02'],
  });
  assert.equal(json(badAccount).fields[0].field, 'accounts.1');
  const badPrice = await post('dinkes.operator', '/proposals', { ...base, price: '75000.50' });
  assert.equal(json(badPrice).fields[0].field, 'price');
  const sbu = await post('dinkes.operator', '/proposals', {
    year: 2027,
    kind: 'SBU',
    name: 'x',
    unit: 'OH',
    price: '1',
    accounts: ['5.1.02.04.01.0001'],
    justification: 'tarif baru untuk uji',
  });
  assert.equal(json(sbu).fields[0].field, 'kind');
  const missing = await post('dinkes.operator', '/proposals', {
    year: 2027,
    kind: 'SSH',
    price: '1000',
    justification: 'komponen baru untuk uji',
  });
  assert.deepEqual(
    json(missing)
      .fields.map((f: { field: string }) => f.field)
      .sort(),
    ['accounts', 'name', 'unit'],
  );

  // OPD users list only their own OPD's proposals
  const mine = json(
    await t.server.inject({ url: `${API}/proposals?limit=500`, headers: await t.as('dinkes.operator') }),
  );
  const dinkes = (
    await t.db
      .selectFrom('usr_user')
      .select('opd_id')
      .where('pemda_id', '=', t.pemdaId)
      .where('username', '=', 'dinkes.operator')
      .executeTakeFirstOrThrow()
  ).opd_id;
  assert.ok(mine.rows.length > 0 && mine.rows.every((r: { opdId: number }) => r.opdId === dinkes));
});

test('proposal pages work without JavaScript: propose, verify, refuse with a message, approve', async () => {
  const op = await t.session('dinkes.operator');
  const item = await itemByName('Map batik');
  const form = await t.server.inject({
    url: `/catalogue/proposals/new?item=${item.itemId}`,
    headers: { ...op.headers, accept: 'text/html' },
  });
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /name="_csrf"/);
  assert.match(form.body, /name="justification"/);

  const { 'x-csrf-token': _c, ...cookieOnly } = op.headers;
  const formHeaders = { ...cookieOnly, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' };
  const bad = await t.server.inject({
    method: 'POST',
    url: '/catalogue/proposals/new',
    headers: formHeaders,
    payload: new URLSearchParams({
      _csrf: op.csrf,
      item_id: String(item.itemId),
      name: 'Map batik',
      unit: 'Buah',
      price: 'murah',
      accounts: '5.1.02.01.01.0024',
      justification: 'Survei tiga toko alat tulis.',
    }).toString(),
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /class="field-error" id="price-error"/);
  assert.match(bad.body, /value="Survei tiga toko alat tulis\."|Survei tiga toko alat tulis\./);

  const noCsrf = await t.server.inject({
    method: 'POST',
    url: '/catalogue/proposals/new',
    headers: formHeaders,
    payload: new URLSearchParams({
      item_id: String(item.itemId),
      price: '4000',
      justification: 'Survei tiga toko alat tulis.',
    }).toString(),
  });
  assert.equal(noCsrf.statusCode, 403);

  const ok = await t.server.inject({
    method: 'POST',
    url: '/catalogue/proposals/new',
    headers: formHeaders,
    payload: new URLSearchParams({
      _csrf: op.csrf,
      item_id: String(item.itemId),
      name: 'Map batik',
      spec: 'folio, kertas linen',
      unit: 'Buah',
      price: '4.000',
      tkdn: '',
      accounts: '5.1.02.01.01.0024',
      justification: 'Survei tiga toko alat tulis.',
    }).toString(),
  });
  assert.equal(ok.statusCode, 303, ok.body);
  const url = String(ok.headers.location);
  const id = Number(/\/catalogue\/proposals\/(\d+)/.exec(url)![1]);

  const td = await t.session('tim_data');
  const { 'x-csrf-token': _d, ...tdCookie } = td.headers;
  const page = await t.server.inject({
    url: `/catalogue/proposals/${id}`,
    headers: { ...td.headers, accept: 'text/html' },
  });
  assert.match(page.body, /action="\/catalogue\/proposals\/\d+\/verify"/);
  assert.match(page.body, /Rp 4\.000/);
  const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
  const returnEmpty = await t.server.inject({
    method: 'POST',
    url: `/catalogue/proposals/${id}/return`,
    headers: { ...tdCookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: td.csrf, version, note: '' }).toString(),
  });
  assert.equal(returnEmpty.statusCode, 400);
  assert.match(returnEmpty.body, /Tuliskan alasannya/);
  const verify = await t.server.inject({
    method: 'POST',
    url: `/catalogue/proposals/${id}/verify`,
    headers: { ...tdCookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: td.csrf, version, note: 'ok' }).toString(),
  });
  assert.equal(verify.statusCode, 303);
  // a stale form (same version again): a 409 page with a message, not a crash
  const stale = await t.server.inject({
    method: 'POST',
    url: `/catalogue/proposals/${id}/verify`,
    headers: { ...tdCookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: td.csrf, version, note: 'ok' }).toString(),
  });
  assert.equal(stale.statusCode, 409);
  assert.match(stale.body, /diubah oleh pengguna lain/);

  const tapd = await t.session('tapd');
  const tapdPage = await t.server.inject({
    url: `/catalogue/proposals/${id}`,
    headers: { ...tapd.headers, accept: 'text/html' },
  });
  assert.match(tapdPage.body, /\/approve"/);
  assert.doesNotMatch(tapdPage.body, /\/verify"/);
  const v2 = /name="version" value="(\d+)"/.exec(tapdPage.body)![1]!;
  const { 'x-csrf-token': _e, ...tapdCookie } = tapd.headers;
  const approve = await t.server.inject({
    method: 'POST',
    url: `/catalogue/proposals/${id}/approve`,
    headers: { ...tapdCookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: tapd.csrf, version: v2 }).toString(),
  });
  assert.equal(approve.statusCode, 303);
  assert.equal((await getCurrentPrice(t.db, t.pemdaId, item.itemId))?.price, '4000');

  // the list filters by status
  const list = await t.server.inject({
    url: '/catalogue/proposals?status=approved',
    headers: { ...tapd.headers, accept: 'text/html' },
  });
  assert.equal(list.statusCode, 200);
  assert.match(list.body, new RegExp(`/catalogue/proposals/${id}"`));
  assert.doesNotMatch(list.body, /Dikembalikan<\/span>/);
});
