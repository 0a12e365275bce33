import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { ensurePemda } from '../../core/tenancy.ts';
import { systemPrincipal } from '../../core/roles.ts';
import {
  findSbuRate,
  getCurrentPrice,
  getPriceVersion,
  listGrades,
  listProvinces,
  searchCatalogue,
  type PricedItem,
} from './index.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const API = '/api/v1/catalogue';

async function search(qs: string, user = 'dinkes.operator') {
  const res = await t.server.inject({ url: `${API}/items?${qs}`, headers: await t.as(user) });
  assert.equal(res.statusCode, 200, res.body);
  return json<{ rows: PricedItem[]; total: number; year: number }>(res);
}

test('the demo catalogue holds a few hundred items per year with prices as decimal strings', async () => {
  for (const year of [2026, 2027]) {
    const all = await searchCatalogue(t.db, t.pemdaId, { year, limit: 1 });
    assert.ok(all.total > 500, `year ${year}: ${all.total}`);
    const ssh = await searchCatalogue(t.db, t.pemdaId, { year, kind: 'SSH', limit: 1 });
    assert.ok(ssh.total >= 300, `SSH ${year}: ${ssh.total}`);
  }
  const r = await search('year=2027&q=Kertas%20HVS%20A4%2080');
  const hvs = r.rows.find((x) => x.name === 'Kertas HVS A4 80 gram')!;
  assert.equal(hvs.price, '65000');
  assert.equal(typeof hvs.price, 'string');
  assert.equal(hvs.tkdn, '60.00');
  assert.deepEqual(hvs.accounts, ['5.1.02.01.01.0024', '5.1.02.01.01.0025']);
  const older = (await search('year=2026&q=Kertas%20HVS%20A4%2080')).rows.find(
    (x) => x.name === 'Kertas HVS A4 80 gram',
  )!;
  assert.equal(older.price, '62500'); // 65.000 / 1,04 rounded to Rp 100
});

test('search: code prefix, name, a typo, relevance first', async () => {
  const byCode = await search('year=2027&q=1.1.12.01.02');
  assert.ok(byCode.total >= 20);
  assert.ok(
    byCode.rows.every((r) => r.code.startsWith('1.1.12.01.02.')),
    JSON.stringify(byCode.rows.map((r) => r.code)),
  );

  const byName = await search('year=2027&q=nasi%20kotak');
  assert.match(byName.rows[0]!.name, /^Nasi kotak/);

  const typo = await search('year=2027&q=kertsa%20hvs');
  assert.ok(
    typo.rows.some((r) => r.name === 'Kertas HVS A4 80 gram'),
    JSON.stringify(typo.rows.map((r) => r.name)),
  );
  assert.ok(
    typo.rows.slice(0, 6).every((r) => /Kertas HVS/.test(r.name)),
    'the closest names come first',
  );

  const laptop = await search('year=2027&q=laptp');
  assert.ok(laptop.rows.some((r) => r.name.startsWith('Laptop')));

  const exact = await search('year=2027&q=1.1.7.01.01.0001');
  assert.equal(exact.rows[0]!.code, '1.1.7.01.01.0001');
  assert.equal(exact.rows[0]!.name, 'Pertalite');

  const none = await search('year=2027&q=zzzqqqxx');
  assert.equal(none.total, 0);
  // LIKE wildcards in the text are literal
  assert.equal((await search('year=2027&q=%25')).total, 0);
});

test('search: filter by kind and by account (only items allowed for that account)', async () => {
  const dalamKota = await search('year=2027&account=5.1.02.04.01.0003&limit=500');
  assert.ok(dalamKota.total >= 34);
  assert.ok(dalamKota.rows.every((r) => r.accounts.includes('5.1.02.04.01.0003') && r.kind === 'SBU'));

  const kertasMamin = await search('year=2027&q=kertas&account=5.1.02.01.01.0052');
  assert.equal(kertasMamin.total, 0, 'paper is not a meeting meal');
  const kertasAtk = await search('year=2027&q=kertas&account=5.1.02.01.01.0024');
  assert.ok(kertasAtk.total > 5);

  const hspk = await search('year=2027&kind=HSPK&limit=500');
  assert.ok(hspk.rows.length >= 10 && hspk.rows.every((r) => r.kind === 'HSPK'));
  assert.ok(hspk.rows.some((r) => r.name === 'Pekerjaan galian tanah biasa per m3'));
  const asb = await search('year=2027&kind=ASB&q=dokumen%20perencanaan');
  assert.equal(asb.rows[0]!.name, 'Penyusunan dokumen perencanaan per dokumen');

  const bad = await t.server.inject({ url: `${API}/items?kind=XYZ`, headers: await t.as('dprd') });
  assert.equal(bad.statusCode, 400);
});

test('SBU: daily allowance, lodging, transport and representation by province, kind and grade', async () => {
  const q = { year: 2027, component: 'uang_harian' as const, province: 'Kalimantan Selatan' };
  const luar = await findSbuRate(t.db, t.pemdaId, { ...q, travelKind: 'luar_kota' });
  assert.equal(luar?.price, '380000');
  assert.deepEqual(luar?.accounts, ['5.1.02.04.01.0001']);
  assert.deepEqual(luar?.sbu, {
    component: 'uang_harian',
    province: 'Kalimantan Selatan',
    travelKind: 'luar_kota',
    grade: null,
  });
  const dalam = await findSbuRate(t.db, t.pemdaId, { ...q, province: 'kalimantan selatan', travelKind: 'dalam_kota' });
  assert.equal(dalam?.price, '150000');
  assert.deepEqual(dalam?.accounts, ['5.1.02.04.01.0003']);
  const diklat = await findSbuRate(t.db, t.pemdaId, { ...q, province: 'DKI Jakarta', travelKind: 'diklat' });
  assert.equal(diklat?.price, '159000'); // 30% of 530.000 (demo)
  assert.equal(await findSbuRate(t.db, t.pemdaId, { ...q, province: 'Atlantis', travelKind: 'luar_kota' }), undefined);
  assert.equal(await findSbuRate(t.db, t.pemdaId, q), undefined, 'uang harian needs its travel kind');

  const lodging = await findSbuRate(t.db, t.pemdaId, {
    year: 2027,
    component: 'penginapan',
    province: 'DKI Jakarta',
    grade: 'eselon_2',
    travelKind: 'luar_kota',
  });
  assert.equal(lodging?.price, '1484000');
  const flight = await findSbuRate(t.db, t.pemdaId, {
    year: 2027,
    component: 'transport',
    province: 'Papua',
    travelKind: 'pesawat',
  });
  assert.equal(flight?.price, '8400000');
  const repr = await findSbuRate(t.db, t.pemdaId, {
    year: 2027,
    component: 'representasi',
    province: 'Bali',
    travelKind: 'luar_kota',
    grade: 'eselon_2',
  });
  assert.equal(repr?.price, '150000');

  const provinces = await listProvinces(t.db, t.pemdaId, 2027);
  assert.equal(provinces.length, 34);
  assert.ok(provinces.includes('Kalimantan Selatan'));
  assert.ok(listGrades().some((g) => g.code === 'eselon_2'));

  const api = await t.server.inject({
    url: `${API}/sbu?year=2027&component=uang_harian&province=Bali&travel_kind=luar_kota`,
    headers: await t.as('dinkes.operator'),
  });
  assert.equal(api.statusCode, 200, api.body);
  assert.equal(json(api).price, '480000');
  const missing = await t.server.inject({
    url: `${API}/sbu?year=2027&component=uang_harian&province=Mars&travel_kind=luar_kota`,
    headers: await t.as('dinkes.operator'),
  });
  assert.equal(missing.statusCode, 404);
  const prov = await t.server.inject({ url: `${API}/provinces?year=2027`, headers: await t.as('dprd') });
  assert.equal(json(prov).provinces.length, 34);
});

test('Tim Data changes a price: a new version; the old one stays readable; a stale version is a 409', async () => {
  const headers = await t.as('tim_data');
  const item = (await search('year=2027&q=Ballpoint%20Standard%20AE7%20hitam')).rows[0]!;
  assert.equal(item.version, 1);
  const res = await t.server.inject({
    method: 'PATCH',
    url: `${API}/items/${item.itemId}`,
    headers,
    payload: { version: 1, price: '2750', note: 'survei November' },
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(json(res).item.version, 2);
  assert.equal(json(res).item.price, '2750');

  const v1 = await t.server.inject({ url: `${API}/items/${item.itemId}/versions/1`, headers });
  assert.equal(json(v1).price, '2500');
  assert.equal((await getPriceVersion(t.db, t.pemdaId, item.itemId, 1))?.price, '2500');
  assert.equal((await getCurrentPrice(t.db, t.pemdaId, item.itemId))?.version, 2);

  const stale = await t.server.inject({
    method: 'PATCH',
    url: `${API}/items/${item.itemId}`,
    headers,
    payload: { version: 1, price: '9999' },
  });
  assert.equal(stale.statusCode, 409);
  assert.equal((await getCurrentPrice(t.db, t.pemdaId, item.itemId))?.price, '2750');

  // an unchanged save makes no version
  const same = await t.server.inject({
    method: 'PATCH',
    url: `${API}/items/${item.itemId}`,
    headers,
    payload: { version: 2, price: '2.750' },
  });
  assert.equal(json(same).item.version, 2);

  const detail = json(await t.server.inject({ url: `${API}/items/${item.itemId}`, headers }));
  assert.deepEqual(
    detail.versions.map((v: { version: number; price: string }) => [v.version, v.price]),
    [
      [2, '2750'],
      [1, '2500'],
    ],
  );

  const audit = await t.db
    .selectFrom('core_audit_log')
    .selectAll()
    .where('pemda_id', '=', t.pemdaId)
    .where('entity', '=', 'cat_item')
    .where('entity_id', '=', String(item.itemId))
    .execute();
  assert.deepEqual(
    audit.map((a) => a.action),
    ['price_change'],
  );
  assert.equal((audit[0]!.after as { price: string }).price, '2750');

  // deactivated: gone from search and current price, its versions still readable
  const off = await t.server.inject({
    method: 'PATCH',
    url: `${API}/items/${item.itemId}`,
    headers,
    payload: { version: 2, active: false },
  });
  assert.equal(json(off).active, false);
  assert.equal(await getCurrentPrice(t.db, t.pemdaId, item.itemId), undefined);
  assert.equal((await getPriceVersion(t.db, t.pemdaId, item.itemId, 2))?.price, '2750');
  assert.equal(
    (await search('year=2027&q=Ballpoint%20Standard%20AE7%20hitam')).rows.some((r) => r.itemId === item.itemId),
    false,
  );
});

test('direct creation validates code, price, TKDN and accounts against the year, naming the field', async () => {
  const headers = await t.as('tim_data');
  const base = {
    year: 2027,
    kind: 'SSH',
    code: '1.1.12.01.01.0900',
    name: 'Stempel otomatis',
    unit: 'Buah',
    price: '185000',
    tkdn: '35,5',
    accounts: ['5.1.02.01.01.0024'],
  };
  const fieldsOf = async (payload: object) => {
    const r = await t.server.inject({ method: 'POST', url: `${API}/items`, headers, payload });
    assert.equal(r.statusCode, 400, r.body);
    return json(r).fields.map((f: { field: string }) => f.field);
  };
  assert.deepEqual(await fieldsOf({ ...base, code: 'ATK-01' }), ['code']);
  assert.deepEqual(await fieldsOf({ ...base, price: '12.5' }), ['price']);
  assert.deepEqual(await fieldsOf({ ...base, price: '0' }), ['price']);
  assert.deepEqual(await fieldsOf({ ...base, tkdn: '101' }), ['tkdn']);
  assert.deepEqual(await fieldsOf({ ...base, accounts: ['5.1.02.01.01'] }), ['accounts.0']);
  assert.deepEqual(await fieldsOf({ ...base, accounts: ['5.1.02.01.01.0024', '5.1.02.01.01.9999'] }), ['accounts.1']);
  assert.deepEqual(await fieldsOf({ ...base, accounts: [] }), ['accounts']);
  assert.deepEqual(await fieldsOf({ ...base, sbu: { component: 'uang_harian', province: 'Bali' } }), ['sbu.component']);
  const en = await t.server.inject({
    method: 'POST',
    url: `${API}/items?lang=en`,
    headers,
    payload: { ...base, accounts: ['5.1.02.01.01.9999'] },
  });
  assert.match(json(en).fields[0].message, /does not exist .* 2027 chart of accounts/);

  const ok = await t.server.inject({ method: 'POST', url: `${API}/items`, headers, payload: base });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(json(ok).tkdn, '35.50');
  const dup = await t.server.inject({ method: 'POST', url: `${API}/items`, headers, payload: base });
  assert.equal(dup.statusCode, 409);
  assert.equal(json(dup).fields[0].field, 'code');

  // a structured SBU rate: one per slot
  const sbu = {
    year: 2027,
    kind: 'SBU',
    code: '4.1.01.99.0001',
    name: 'Uang harian luar kota Papua Selatan',
    unit: 'OH',
    price: '580000',
    accounts: ['5.1.02.04.01.0001'],
  };
  const missingKind = await t.server.inject({
    method: 'POST',
    url: `${API}/items`,
    headers,
    payload: { ...sbu, sbu: { component: 'uang_harian', province: 'Papua Selatan' } },
  });
  assert.equal(json(missingKind).fields[0].field, 'sbu.travel_kind');
  const created = await t.server.inject({
    method: 'POST',
    url: `${API}/items`,
    headers,
    payload: { ...sbu, sbu: { component: 'uang_harian', province: 'Papua Selatan', travel_kind: 'luar_kota' } },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(
    (
      await findSbuRate(t.db, t.pemdaId, {
        year: 2027,
        component: 'uang_harian',
        province: 'Papua Selatan',
        travelKind: 'luar_kota',
      })
    )?.price,
    '580000',
  );
  const twice = await t.server.inject({
    method: 'POST',
    url: `${API}/items`,
    headers,
    payload: {
      ...sbu,
      code: '4.1.01.99.0002',
      sbu: { component: 'uang_harian', province: 'papua selatan', travel_kind: 'luar_kota' },
    },
  });
  assert.equal(twice.statusCode, 409);

  // only Tim Data and admin maintain items
  for (const user of ['tapd', 'dinkes.operator', 'inspektorat']) {
    const r = await t.server.inject({
      method: 'POST',
      url: `${API}/items`,
      headers: await t.as(user),
      payload: { ...base, code: '1.1.12.01.01.0901' },
    });
    assert.equal(r.statusCode, 403, user);
  }
  const admin = await t.server.inject({
    method: 'POST',
    url: `${API}/items`,
    headers: await t.as('admin'),
    payload: { ...base, code: '1.1.12.01.01.0901' },
  });
  assert.equal(admin.statusCode, 201);
});

test("another Pemda's items are invisible", async () => {
  const other = await ensurePemda(t.db, {
    code: '63.06',
    name: 'Kabupaten Hulu Sungai Selatan',
    kind: 'kabupaten',
    province: 'Kalimantan Selatan',
  });
  const item = await t.db
    .insertInto('cat_item')
    .values({
      pemda_id: other.id,
      year: 2027,
      kind: 'SSH',
      code: '1.1.12.01.02.0002',
      name: 'Kertas HVS A4 80 gram rahasia',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('cat_item_version')
    .values({
      pemda_id: other.id,
      item_id: item.id,
      version: 1,
      name: 'Kertas HVS A4 80 gram rahasia',
      unit: 'Rim',
      spec: '',
      tkdn: null,
      note: '',
      proposal_id: null,
      price: '1',
      source: 'seed',
      approved_by_name: 'x',
    })
    .execute();
  await t.db
    .insertInto('cat_item_account')
    .values({ pemda_id: other.id, item_id: item.id, version: 1, account_code: '5.1.02.01.01.0024' })
    .execute();

  const r = await search('year=2027&q=rahasia');
  assert.equal(r.total, 0);
  assert.equal(await getCurrentPrice(t.db, t.pemdaId, item.id), undefined);
  assert.equal(await getPriceVersion(t.db, t.pemdaId, item.id, 1), undefined);
  assert.equal(
    (await t.server.inject({ url: `${API}/items/${item.id}`, headers: await t.as('tim_data') })).statusCode,
    404,
  );
  assert.equal(
    (
      await t.server.inject({
        method: 'PATCH',
        url: `${API}/items/${item.id}`,
        headers: await t.as('tim_data'),
        payload: { version: 1, price: '5' },
      })
    ).statusCode,
    404,
  );
  const page = await t.server.inject({
    url: `/catalogue/items/${item.id}`,
    headers: { ...(await t.session('admin')).headers, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 404);
  // the other Pemda sees its own
  assert.equal((await getCurrentPrice(t.db, other.id, item.id))?.price, '1');
  // a version can never point at another Pemda's item (composite foreign key)
  await assert.rejects(
    t.db
      .insertInto('cat_item_version')
      .values({
        pemda_id: t.pemdaId,
        item_id: item.id,
        version: 2,
        name: 'x',
        unit: 'x',
        spec: '',
        tkdn: null,
        note: '',
        proposal_id: null,
        price: '1',
        source: 'seed',
        approved_by_name: 'x',
      })
      .execute(),
  );
  // and the service refuses to act across Pemda
  assert.equal((await searchCatalogue(t.db, other.id, { year: 2027, text: 'pertalite' })).total, 0);
  void systemPrincipal;
});

test("the public functions work inside the caller's transaction (no second connection)", async () => {
  const hvs = (await searchCatalogue(t.db, t.pemdaId, { year: 2027, text: 'Kertas HVS A4 80 gram' })).rows[0]!;
  await t.db.transaction().execute(async (trx) => {
    assert.equal((await getCurrentPrice(trx, t.pemdaId, hvs.itemId))?.itemId, hvs.itemId);
    assert.equal((await getPriceVersion(trx, t.pemdaId, hvs.itemId, 1))?.version, 1);
    assert.equal(
      (
        await findSbuRate(trx, t.pemdaId, {
          year: 2027,
          component: 'uang_harian',
          province: 'Bali',
          travelKind: 'luar_kota',
        })
      )?.price,
      '480000',
    );
    // searchCatalogue takes a Db, but a transaction works too
    assert.ok((await searchCatalogue(trx, t.pemdaId, { year: 2027, text: 'kertsa hvs' })).total > 0);
  });
});
