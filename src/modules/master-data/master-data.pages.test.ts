import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, json, type TestContext } from '../../testing/harness.ts';
import { listOpds } from './index.ts';

let ctx: TestContext;
before(async () => {
  ctx = await testApp();
});
after(() => ctx.close());

async function page(user: string, url: string, extra: Record<string, string> = {}) {
  const s = await ctx.session(user);
  return ctx.server.inject({ method: 'GET', url, headers: { ...s.headers, accept: 'text/html', ...extra } });
}

async function postForm(user: string, url: string, fields: Record<string, string | string[]>) {
  const s = await ctx.session(user);
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries({ _csrf: s.csrf, ...fields }))
    for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  const { 'x-csrf-token': _t, ...headers } = s.headers; // the token travels in the form, as from a browser
  return ctx.server.inject({
    method: 'POST',
    url,
    headers: { ...headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}

test('the index and list pages, in Indonesian and English', async () => {
  const idx = await page('inspektorat', '/master-data');
  assert.equal(idx.statusCode, 200);
  for (const k of ['organisations', 'nomenclature', 'accounts', 'regions', 'funding-sources', 'units'])
    assert.match(idx.body, new RegExp(`href="/master-data/${k}"`));
  assert.match(idx.body, /Bagan Akun/);
  assert.doesNotMatch(idx.body, /href="\/master-data\/accounts\/new"/, 'read-only role sees no "new" link');
  const en = await page('inspektorat', '/master-data?lang=en');
  assert.match(en.body, /Chart of accounts/);

  const list = await page('admin', '/master-data/organisations');
  assert.equal(list.statusCode, 200);
  assert.match(list.body, /<table class="data">/);
  assert.match(list.body, /hx-get="\/master-data\/organisations"/);
  assert.match(list.body, /hx-trigger="keyup changed delay:300ms, search"/);
  assert.match(list.body, /hx-target="#md-rows"/);
  assert.match(list.body, /Dinas Kesehatan/);

  // 50 rows a page, with a working next link
  const nom = await page('bappeda', '/master-data/nomenclature?year=2026');
  assert.equal((nom.body.match(/<tr><td><a href="\/master-data\/nomenclature\/\d+">/g) ?? []).length, 50);
  const next = /href="([^"]+page=2)"/.exec(nom.body)?.[1]?.replace(/&amp;/g, '&');
  assert.ok(next);
  const p2 = await page('bappeda', next);
  assert.equal(p2.statusCode, 200);
  assert.match(p2.body, /Halaman 2 dari/);

  // without a session a page sends the browser to log in
  const anon = await ctx.server.inject({ url: '/master-data/units', headers: { accept: 'text/html' } });
  assert.equal(anon.statusCode, 302);
  assert.match(String(anon.headers.location), /^\/login\?next=/);
});

test('live search (htmx) answers with table rows only', async () => {
  const res = await page('admin', '/master-data/organisations?q=perhubungan', { 'hx-request': 'true' });
  assert.equal(res.statusCode, 200);
  assert.doesNotMatch(res.body, /<html|<main/);
  assert.match(res.body, /^<tr>/);
  assert.match(res.body, /Dinas Perhubungan/);
  assert.doesNotMatch(res.body, /Dinas Kesehatan/);
  assert.match(res.body, /class="pager-row"/);
  const typo = await page('admin', '/master-data/organisations?q=perhubngan', { 'hx-request': 'true' });
  assert.match(typo.body, /Dinas Perhubungan/);
  // a browser's htmx request (Accept */*, an English browser) keeps the page's language
  const fragment = await page('admin', '/master-data/organisations?q=perhubungan', {
    'hx-request': 'true',
    accept: '*/*',
    'accept-language': 'en-US,en;q=0.9',
  });
  assert.match(fragment.body, /Aktif/);
});

test('a <script> name is shown escaped on the list and detail pages', async () => {
  const created = await ctx.server.inject({
    method: 'POST',
    url: '/api/v1/master-data/funding-sources',
    headers: await ctx.as('admin'),
    payload: { code: 'XSS', name: '<script>alert(1)</script>' },
  });
  assert.equal(created.statusCode, 201);
  const id = json(created).id;
  for (const url of [
    '/master-data/funding-sources?q=XSS',
    `/master-data/funding-sources/${id}`,
    `/master-data/funding-sources/${id}/edit`,
  ]) {
    const res = await page('admin', url);
    assert.equal(res.statusCode, 200, url);
    assert.ok(!res.body.includes('<script>alert(1)</script>'), url);
    assert.ok(res.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), url);
  }
  const frag = await page('admin', '/master-data/funding-sources?q=alert', { 'hx-request': 'true' });
  assert.ok(!frag.body.includes('<script>') && frag.body.includes('&lt;script&gt;'));
});

test('new form: POST then 303 to the detail page; errors re-render the form with per-field messages', async () => {
  const form = await page('admin', '/master-data/regions/new');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /<form method="post" action="\/master-data\/regions" class="form"/);
  assert.match(form.body, /name="_csrf"/);

  const bad = await postForm('admin', '/master-data/regions', { code: '99.01.01.3001', name: 'Salah <b>' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /<span class="field-error" id="f-code-error">[^<]*Kode wilayah tidak valid/);
  assert.match(bad.body, /aria-invalid="true"/);
  assert.match(bad.body, /value="Salah &lt;b&gt;"/, 'the typed value is kept, escaped');

  const blank = await postForm('admin', '/master-data/regions', { code: '', name: '' });
  assert.equal(blank.statusCode, 400);
  assert.match(blank.body, /id="f-name-error">Wajib diisi/);

  const ok = await postForm('admin', '/master-data/regions', {
    code: '99.01.02.2077',
    name: 'Desa Baru',
    organisation_id: '',
  });
  assert.equal(ok.statusCode, 303, ok.body);
  const loc = String(ok.headers.location);
  assert.match(loc, /^\/master-data\/regions\/\d+\?notice=created$/);
  const detail = await page('admin', loc);
  assert.match(detail.body, /class="notice"/);
  assert.match(detail.body, /Desa Baru/);
  assert.match(detail.body, /Desa<\/dd>/, 'kind derived from the code');
  assert.match(detail.body, /href="\/master-data\/regions\/\d+">99\.01\.02 /, 'parent kecamatan linked');
});

test('an OPD created through the form carries the bidang of its code', async () => {
  const res = await postForm('admin', '/master-data/organisations', {
    code: '3.29.3.28.0.00.01.0000',
    name: 'Dinas Energi dan Kehutanan',
    short_name: 'desdm',
    kind: '',
    head_name: '',
    head_nip: '',
    bidang: '',
  });
  assert.equal(res.statusCode, 303, res.body);
  const id = /\/(\d+)\?/.exec(String(res.headers.location))![1];
  const org = json(
    await ctx.server.inject({ url: `/api/v1/master-data/organisations/${id}`, headers: await ctx.as('admin') }),
  );
  assert.deepEqual(org.bidang, ['3.28', '3.29']);
  assert.equal(org.kind, 'opd');
});

test('edit form: version travels in the form; stale is a 409 with the latest values; (de)activate buttons', async () => {
  const created = json(
    await ctx.server.inject({
      method: 'POST',
      url: '/api/v1/master-data/units',
      headers: await ctx.as('admin'),
      payload: { code: 'Gros', name: 'Gros' },
    }),
  );
  const edit = await page('admin', `/master-data/units/${created.id}/edit`);
  assert.match(edit.body, /name="version" value="1"/);
  assert.match(edit.body, /value="Gros" readonly disabled/, 'the code is shown, not editable');

  const saved = await postForm('admin', `/master-data/units/${created.id}`, { name: 'Gros (144 buah)', version: '1' });
  assert.equal(saved.statusCode, 303);
  const stale = await postForm('admin', `/master-data/units/${created.id}`, { name: 'Lusin besar', version: '1' });
  assert.equal(stale.statusCode, 409);
  assert.match(stale.body, /diubah oleh pengguna lain/);
  assert.match(stale.body, /value="Gros \(144 buah\)"/);
  assert.match(stale.body, /name="version" value="2"/);

  const detail = await page('admin', `/master-data/units/${created.id}`);
  assert.match(detail.body, /action="\/master-data\/units\/\d+\/deactivate"/);
  const off = await postForm('admin', `/master-data/units/${created.id}/deactivate`, { version: '2' });
  assert.equal(off.statusCode, 303);
  const after = await page('admin', String(off.headers.location));
  assert.match(after.body, /<span class="badge">Nonaktif<\/span>/);
  assert.match(after.body, /action="\/master-data\/units\/\d+\/activate"/);
});

test('organisation pages for an OPD operator: own OPD editable (head, short name), others read-only', async () => {
  const opds = await listOpds(ctx.db, ctx.pemdaId);
  const dinkes = opds.find((o) => o.shortName === 'dinkes')!;
  const dishub = opds.find((o) => o.shortName === 'dishub')!;
  const own = await page('dinkes.operator', `/master-data/organisations/${dinkes.id}`);
  assert.match(own.body, /href="\/master-data\/organisations\/\d+\/edit"/);
  assert.doesNotMatch(own.body, /\/deactivate"/, 'an operator cannot deactivate its OPD');
  const other = await page('dinkes.operator', `/master-data/organisations/${dishub.id}`);
  assert.equal(other.statusCode, 200);
  assert.doesNotMatch(other.body, /\/edit"/);
  assert.equal((await page('dinkes.operator', `/master-data/organisations/${dishub.id}/edit`)).statusCode, 403);
  const post = await postForm('dinkes.operator', `/master-data/organisations/${dishub.id}`, {
    name: 'X',
    short_name: 'dishub',
    version: '1',
  });
  assert.equal(post.statusCode, 403);

  const form = await page('dinkes.operator', `/master-data/organisations/${dinkes.id}/edit`);
  assert.match(form.body, /<select id="f-bidang" name="bidang" multiple/);
  const current = json(
    await ctx.server.inject({ url: `/api/v1/master-data/organisations/${dinkes.id}`, headers: await ctx.as('admin') }),
  );
  const saved = await postForm('dinkes.operator', `/master-data/organisations/${dinkes.id}`, {
    name: current.name,
    short_name: 'dinkes',
    head_name: 'dr. Kepala Baru',
    head_nip: '',
    bidang: ['', ...current.bidang],
    version: String(current.version),
  });
  assert.equal(saved.statusCode, 303, saved.body);
  const after = json(
    await ctx.server.inject({ url: `/api/v1/master-data/organisations/${dinkes.id}`, headers: await ctx.as('admin') }),
  );
  assert.equal(after.head_name, 'dr. Kepala Baru');
  assert.equal(after.head_nip, null);
  assert.deepEqual(after.bidang, current.bidang);
});
