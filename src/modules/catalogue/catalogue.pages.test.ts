import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { getCurrentPrice, getPriceVersion, searchCatalogue } from './index.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

async function page(user: string, url: string) {
  const s = await t.session(user);
  return t.server.inject({ url, headers: { ...s.headers, accept: 'text/html' } });
}

async function form(user: string, url: string, fields: Record<string, string>) {
  const s = await t.session(user);
  const { 'x-csrf-token': _c, ...cookie } = s.headers;
  return t.server.inject({
    method: 'POST',
    url,
    headers: { ...cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: s.csrf, ...fields }).toString(),
  });
}

test('browse and search: filters, rupiah amounts, pagination, nav entry, English', async () => {
  const res = await page('dinkes.operator', '/catalogue?year=2027&q=kertas%20hvs&kind=SSH');
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /Kertas HVS A4 80 gram/);
  assert.match(res.body, /Rp 65\.000/);
  assert.match(res.body, /<option value="2027" selected>/);
  assert.match(res.body, /href="\/catalogue\/proposals\/new"/, 'an OPD may propose');
  assert.doesNotMatch(res.body, /href="\/catalogue\/items\/new/, 'but not create items');

  const all = await page('dprd', '/catalogue?year=2027');
  assert.match(all.body, /Halaman 1 dari \d+/);
  assert.match(all.body, /rel="next"/);
  const p2 = await page('dprd', '/catalogue?year=2027&page=2');
  assert.match(p2.body, /Halaman 2 dari/);
  assert.match(p2.body, /rel="prev"/);
  assert.doesNotMatch(all.body, /href="\/catalogue\/proposals\/new"/);

  const byAccount = await page('dprd', '/catalogue?year=2027&account=5.1.02.04.01.0003');
  assert.match(byAccount.body, /Uang harian perjalanan dinas dalam kota/);
  assert.doesNotMatch(byAccount.body, /Kertas HVS/);

  const home = await page('dinkes.operator', '/');
  assert.match(home.body, /href="\/catalogue">Standar Harga</);

  const en = await page('tim_data', '/catalogue?year=2027&q=pertalite&lang=en');
  assert.match(en.body, /Standard prices/);
  assert.match(en.body, /Rp 10,000/);

  const anon = await t.server.inject({ url: '/catalogue', headers: { accept: 'text/html' } });
  assert.equal(anon.statusCode, 302);
});

test('item detail: current price, read-only accounts with names, version history', async () => {
  const item = (await searchCatalogue(t.db, t.pemdaId, { year: 2027, text: 'Sewa bus 45 kursi' })).rows[0]!;
  const res = await page('inspektorat', `/catalogue/items/${item.itemId}`);
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /Rp 3\.750\.000/);
  assert.match(res.body, /Rp 3\.500\.000/);
  assert.match(res.body, /5\.1\.02\.02\.05\.0009 Belanja Sewa Kendaraan Bermotor Penumpang/);
  assert.match(res.body, /Usulan OPD #\d+/);
  assert.doesNotMatch(res.body, /\/edit"/, 'read-only for the auditor');
  assert.doesNotMatch(res.body, /<textarea name="accounts"/);
  const td = await page('tim_data', `/catalogue/items/${item.itemId}`);
  assert.match(td.body, new RegExp(`href="/catalogue/items/${item.itemId}/edit"`));
});

test('new and edit forms (Tim Data): validation re-renders per field; success redirects; a version is added', async () => {
  const bad = await form('tim_data', '/catalogue/items/new', {
    year: '2027',
    kind: 'SSH',
    code: 'abc',
    name: 'Lem tembak',
    unit: 'Buah',
    price: '12,5',
    tkdn: '',
    accounts: '5.1.02.01.01.0024\n5.1.02.01.01.9999',
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="code-error">Kode harus berupa angka bertitik/);
  assert.match(bad.body, /id="price-error"/);
  assert.match(bad.body, /value="Lem tembak"/, 'input is kept');

  const badAcc = await form('tim_data', '/catalogue/items/new', {
    year: '2027',
    kind: 'SSH',
    code: '1.1.12.01.01.0777',
    name: 'Lem tembak',
    unit: 'Buah',
    price: '12.500',
    accounts: '5.1.02.01.01.0024\n5.1.02.01.01.9999',
  });
  assert.equal(badAcc.statusCode, 400);
  assert.match(badAcc.body, /id="accounts-error">Akun 5\.1\.02\.01\.01\.9999 tidak ada/);

  const ok = await form('tim_data', '/catalogue/items/new', {
    year: '2027',
    kind: 'SSH',
    code: '1.1.12.01.01.0777',
    name: 'Lem tembak',
    spec: 'isi 10 batang',
    unit: 'Buah',
    price: '12.500',
    tkdn: '20',
    accounts: '5.1.02.01.01.0024',
  });
  assert.equal(ok.statusCode, 303, ok.body);
  const id = Number(/\/catalogue\/items\/(\d+)/.exec(String(ok.headers.location))![1]);
  assert.equal((await getCurrentPrice(t.db, t.pemdaId, id))?.price, '12500');

  const edit = await page('tim_data', `/catalogue/items/${id}/edit`);
  assert.match(edit.body, /name="version" value="1"/);
  const changed = await form('tim_data', `/catalogue/items/${id}/edit`, {
    version: '1',
    name: 'Lem tembak',
    spec: 'isi 10 batang',
    unit: 'Buah',
    price: '13.000',
    tkdn: '20',
    accounts: '5.1.02.01.01.0024',
    note: 'survei',
  });
  assert.equal(changed.statusCode, 303);
  assert.equal((await getCurrentPrice(t.db, t.pemdaId, id))?.version, 2);
  assert.equal((await getPriceVersion(t.db, t.pemdaId, id, 1))?.price, '12500');
  const stale = await form('tim_data', `/catalogue/items/${id}/edit`, {
    version: '1',
    name: 'Lem tembak',
    unit: 'Buah',
    price: '14.000',
    accounts: '5.1.02.01.01.0024',
  });
  assert.equal(stale.statusCode, 409);
  assert.match(stale.body, /diubah oleh pengguna lain/);
  assert.match(stale.body, /name="version" value="2"/, 'the form now carries the current version');

  const off = await form('tim_data', `/catalogue/items/${id}/active`, { version: '2', active: 'false' });
  assert.equal(off.statusCode, 303);
  assert.equal(await getCurrentPrice(t.db, t.pemdaId, id), undefined);

  // others may not
  assert.equal((await page('dinkes.operator', '/catalogue/items/new')).statusCode, 403);
  assert.equal((await form('tapd', '/catalogue/items/new', { year: '2027' })).statusCode, 403);
});

test('a <script> item name is escaped on every page and in the picker', async () => {
  const created = await t.server.inject({
    method: 'POST',
    url: '/api/v1/catalogue/items',
    headers: await t.as('tim_data'),
    payload: {
      year: 2027,
      kind: 'SSH',
      code: '1.1.12.01.01.0666',
      name: '<script>alert(1)</script> Kertas jahat',
      spec: '"><img src=x onerror=alert(2)>',
      unit: 'Rim',
      price: '1000',
      accounts: ['5.1.02.01.01.0024'],
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  const id = json(created).itemId;
  for (const url of ['/catalogue?year=2027&q=jahat', `/catalogue/items/${id}`, '/catalogue/picker?year=2027&q=jahat']) {
    const res = await page('dinkes.operator', url);
    assert.equal(res.statusCode, 200, url);
    assert.ok(res.body.includes('&lt;script&gt;alert(1)&lt;/script&gt; Kertas jahat'), url);
    assert.ok(!res.body.includes('<script>alert(1)'), url);
    assert.ok(!res.body.includes('<img src=x'), url);
  }
});

test('the line editor picker: an htmx fragment of buttons with the item data, filtered by account', async () => {
  const res = await page('dinkes.operator', '/catalogue/picker?year=2027&q=kertsa%20hvs&account=5.1.02.01.01.0025');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /text\/html/);
  assert.doesNotMatch(res.body, /<html/);
  const btn = /<button type="button" class="pick"[^>]*data-name="Kertas HVS A4 80 gram"[^>]*>/.exec(res.body)?.[0];
  assert.ok(btn, res.body.slice(0, 500));
  assert.match(btn, /data-id="\d+"/);
  assert.match(btn, /data-version="1"/);
  assert.match(btn, /data-unit="Rim"/);
  assert.match(btn, /data-price="65000"/);

  const none = await page('dinkes.operator', '/catalogue/picker?year=2027&q=kertas&account=5.1.02.04.01.0001');
  assert.match(none.body, /Tidak ada komponen yang cocok/);
  const travel = await page('dinkes.operator', '/catalogue/picker?year=2027&q=bali&account=5.1.02.04.01.0001');
  assert.match(
    travel.body,
    /data-name="Uang harian perjalanan dinas luar kota ke Bali"[^>]*data-unit="OH" data-price="480000"/,
  );
  // as a bearer API client too
  const api = await t.server.inject({
    url: '/catalogue/picker?year=2027&q=pertalite',
    headers: await t.as('dinkes.operator'),
  });
  assert.equal(api.statusCode, 200);
  assert.match(api.body, /data-name="Pertalite"/);
});

test('/openapi.json documents the catalogue API with its tag', async () => {
  const doc = json(await t.server.inject({ url: '/openapi.json' }));
  const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/catalogue'));
  assert.ok(paths.length >= 12, paths.join(' '));
  for (const p of paths)
    for (const op of Object.values(doc.paths[p]) as Array<{ tags: string[]; summary: string }>) {
      assert.deepEqual(op.tags, ['catalogue'], p);
      assert.ok(op.summary, p);
    }
  assert.ok(doc.paths['/catalogue/picker'], 'the picker is documented');
});
