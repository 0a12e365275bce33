// A large master-data web import runs as a job: the upload answers at once with the job's progress
// page, which refreshes itself until the import ends and then shows the result (here: 6,000 new
// units), or the error report when a row is bad (and nothing is written).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { multipartBody, testApp, type TestContext } from '../../testing/harness.ts';
import { JOB_PAGE_FROM_BYTES } from '../../core/jobs/jobs.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

/** 6,000 units `<prefix>00000`…, each with a long name: more than JOB_PAGE_FROM_BYTES. */
function unitsCsv(prefix: string, badRow?: number): Buffer {
  const rows = ['kode,nama'];
  for (let i = 0; i < 6000; i++) {
    const code = `${prefix}${String(i).padStart(5, '0')}`;
    rows.push(i + 1 === badRow ? `${code},` : `${code},Satuan impor besar nomor ${i} ${'x'.repeat(60)}`);
  }
  const csv = Buffer.from(rows.join('\n'));
  assert.ok(csv.length >= JOB_PAGE_FROM_BYTES, `${csv.length} bytes`);
  return csv;
}

async function unitCount(prefix: string): Promise<number> {
  const r = await t.db
    .selectFrom('md_unit')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('pemda_id', '=', t.pemdaId)
    .where('code', 'like', `${prefix}%`)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Upload `csv` as admin; follow the job page until the import ends; returns the last answer. */
async function importAsJob(csv: Buffer) {
  const s = await t.session('admin');
  const headers = { cookie: s.headers.cookie!, accept: 'text/html' };
  const mp = multipartBody({ _csrf: s.csrf }, { content: csv, filename: 'satuan.csv', type: 'text/csv' });
  const res = await t.server.inject({
    method: 'POST',
    url: '/master-data/units/import',
    headers: { ...headers, 'content-type': mp.contentType },
    payload: mp.payload,
  });
  assert.equal(res.statusCode, 303, res.body);
  const jobUrl = String(res.headers.location);
  assert.match(jobUrl, /^\/master-data\/units\/import\/jobs\/\d+$/);
  let page = await t.server.inject({ url: jobUrl, headers });
  let polls = 0;
  let progressSeen = false;
  while (page.statusCode === 200 && page.body.includes('http-equiv="refresh"')) {
    assert.match(page.body, /<meta http-equiv="refresh" content="1">/);
    assert.match(page.body, /<progress max="100" value="\d+">/);
    progressSeen = true;
    await new Promise((r) => setTimeout(r, 200));
    page = await t.server.inject({ url: jobUrl, headers });
    assert.ok(++polls < 3000, 'the import ends');
  }
  return { jobUrl, page, headers, progressSeen };
}

test('a large upload answers with a self-refreshing progress page, then the counts', async () => {
  const { jobUrl, page, headers, progressSeen } = await importAsJob(unitsCsv('JB'));
  assert.ok(progressSeen, 'the first answer is the progress page');
  assert.equal(page.statusCode, 303, page.body);
  assert.equal(page.headers.location, '/master-data/units/import?done=6000.6000.0.0');
  assert.equal(await unitCount('JB'), 6000);
  const form = await t.server.inject({ url: String(page.headers.location), headers });
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /class="notice"[^>]*>[^<]*6000 baris diimpor: 6000 baru, 0 diperbarui/);
  // a user of the Pemda without the import permission may not look at the job
  const op = await t.session('dinkes.operator');
  assert.equal(
    (await t.server.inject({ url: jobUrl, headers: { ...op.headers, accept: 'text/html' } })).statusCode,
    403,
  );
  // the job is the units import's: another resource's job page does not find it
  const other = jobUrl.replace('/units/', '/funding-sources/');
  assert.equal((await t.server.inject({ url: other, headers })).statusCode, 404);
});

test('a large upload with a bad row ends failed with the row and column, and writes nothing', async () => {
  const { page } = await importAsJob(unitsCsv('JF', 4321));
  assert.equal(page.statusCode, 200, page.body);
  assert.match(page.body, /<p class="error" role="alert">Impor ditolak: 1 kesalahan/);
  assert.match(page.body, /<td class="num">4321<\/td><td>nama<\/td>/);
  assert.equal(await unitCount('JF'), 0);
});
