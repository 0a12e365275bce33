// A large web import runs as a job: the upload answers at once with the job's progress page, which
// refreshes itself until the import ends and then shows the result (here: 8,000 new items).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { multipartBody, testApp, type TestContext } from '../../testing/harness.ts';
import { JOB_PAGE_FROM_BYTES } from './import-jobs.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

test('a large upload answers with a self-refreshing progress page, then the result', async () => {
  const rows = ['jenis,kode,nama,spesifikasi,satuan,harga,akun'];
  for (let i = 0; i < 8000; i++)
    rows.push(
      `SSH,6.6.${Math.floor(i / 100)}.${i % 100},Barang impor besar ${i},Spesifikasi panjang ${i},Buah,${1000 + i},5.1.02.01.01.0024`,
    );
  const csv = Buffer.from(rows.join('\n'));
  assert.ok(csv.length >= JOB_PAGE_FROM_BYTES, `${csv.length} bytes`);
  const s = await t.session('tim_data');
  const headers = { cookie: s.headers.cookie!, accept: 'text/html' };
  const mp = multipartBody({ _csrf: s.csrf, year: '2027' }, { content: csv, filename: 'besar.csv', type: 'text/csv' });
  const res = await t.server.inject({
    method: 'POST',
    url: '/catalogue/import',
    headers: { ...headers, 'content-type': mp.contentType },
    payload: mp.payload,
  });
  assert.equal(res.statusCode, 303, res.body);
  const jobUrl = String(res.headers.location);
  assert.match(jobUrl, /^\/catalogue\/import\/jobs\/\d+$/);

  let page = await t.server.inject({ url: jobUrl, headers });
  let polls = 0;
  while (page.statusCode === 200) {
    assert.match(page.body, /<meta http-equiv="refresh" content="1">/);
    assert.match(page.body, /<progress max="100" value="\d+">/);
    await new Promise((r) => setTimeout(r, 200));
    page = await t.server.inject({ url: jobUrl, headers });
    assert.ok(++polls < 3000, 'the import ends');
  }
  assert.equal(page.statusCode, 303, page.body);
  assert.equal(page.headers.location, '/catalogue/import?done=8000.0.0');
  // another user of the Pemda without the permission may not look at the job
  const op = await t.session('dinkes.operator');
  assert.equal(
    (await t.server.inject({ url: jobUrl, headers: { ...op.headers, accept: 'text/html' } })).statusCode,
    403,
  );
});
