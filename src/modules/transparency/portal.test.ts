import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sql } from 'kysely';
import { parse as parseCsv } from 'csv-parse/sync';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { EXECUTED_YEAR, listPublicStages, stageTotals } from '../budgeting/index.ts';

let t: TestContext;
const Y = EXECUTED_YEAR;
const get = (url: string, headers: Record<string, string> = {}) =>
  t.server.inject({ method: 'GET', url, headers: { accept: 'text/html', ...headers } });

before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const schema = (name: string) =>
  JSON.parse(fs.readFileSync(new URL(`../../../test/fixtures/schemas/${name}`, import.meta.url), 'utf8'));

test('the Fiscal Data Package validates against the published schema and its total equals the APBD summary', async () => {
  const res = await get(`/portal/data/${Y}/murni/fdp/datapackage.json`);
  assert.equal(res.statusCode, 200, res.body);
  const dp = json(res);
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  ajv.addFormat('textarea', true);
  const validate = ajv.compile(schema('fiscal-data-package.schema.json'));
  assert.ok(validate(structuredClone(dp)), JSON.stringify(validate.errors?.slice(0, 5)));
  // a broken descriptor fails (the validation can fail)
  assert.equal(validate({ ...dp, model: { measures: {} } }), false);
  assert.deepEqual(Object.keys(dp.model.measures).sort(), ['adjusted', 'approved', 'executed', 'proposed']);
  assert.ok(dp.model.dimensions.funding_source, 'sumber dana as a dimension');
  const csvRes = await get(`/portal/data/${Y}/murni/fdp/${dp.resources[0].path}`);
  assert.equal(csvRes.statusCode, 200);
  const rows = parseCsv(csvRes.body, { columns: true }) as Array<Record<string, string>>;
  const fields = dp.resources[0].schema.fields.map((f: { name: string }) => f.name);
  assert.deepEqual(Object.keys(rows[0]!), fields, 'the CSV has the declared fields');
  const approved = rows.reduce((s, r) => s + BigInt(r.approved!), 0n);
  const stage = (await listPublicStages(t.db, t.pemdaId, Y)).find((s) => s.kind === 'murni')!;
  const summary = await stageTotals(t.db, t.pemdaId, stage.id);
  assert.equal(approved.toString(), summary.planned, 'FDP total = APBD expenditure summary');
  // the demo's sub kegiatan were each submitted once and approved as submitted: proposed = approved
  const proposed = rows.reduce((s, r) => s + BigInt(r.proposed!), 0n);
  assert.equal(proposed, approved, 'proposed phase = the demo submissions');
  const executed = rows.reduce((s, r) => s + BigInt(r.executed!), 0n);
  const real = await sql<{
    s: string;
  }>`SELECT sum(amount)::text AS s FROM ctl_realisation WHERE pemda_id = ${t.pemdaId} AND year = ${Y}`.execute(t.db);
  assert.equal(executed.toString(), real.rows[0]!.s, 'executed = every SP2D of the year');
  assert.ok(rows.every((r) => r.funding_source_code !== undefined));
});

test('drill from the APBD total to one line; search tolerates a typo; pages are cacheable and cookie-free', async () => {
  const home = await get('/portal');
  assert.equal(home.statusCode, 200);
  assert.match(home.headers['cache-control'] as string, /public/);
  assert.ok(
    ![home.headers['set-cookie'] ?? []].flat().some((c) => String(c).startsWith('padu_csrf=')),
    'no per-visitor cookie',
  );
  assert.match(home.body, new RegExp(`/portal/apbd/${Y}/murni`));
  assert.doesNotMatch(home.body, /\/portal\/apbd\/2027\//, 'the open 2027 stage is not listed');
  const apbd = await get(`/portal/apbd/${Y}/murni`);
  assert.equal(apbd.statusCode, 200);
  const opdLink = /href="(\/portal\/apbd\/\d+\/murni\/opd\/\d+)"/.exec(apbd.body)![1]!;
  const opd = await get(opdLink);
  assert.equal(opd.statusCode, 200);
  const subLink = /href="(\/portal\/apbd\/\d+\/murni\/opd\/\d+\/sub\/[\d.]+)"/.exec(opd.body)![1]!;
  const sub = await get(subLink);
  assert.equal(sub.statusCode, 200);
  assert.match(sub.body, /id="lines"/);
  for (const by of ['program', 'function', 'account'])
    assert.equal((await get(`/portal/apbd/${Y}/murni?by=${by}`)).statusCode, 200);
  assert.equal((await get('/portal/apbd/2027/murni')).statusCode, 404, 'an open stage is not public');
  // typo-tolerant search
  const word = (
    await sql<{
      name: string;
    }>`SELECT l.name FROM bud_line l JOIN bud_stage s ON s.pemda_id = l.pemda_id AND s.id = l.stage_id
      WHERE l.pemda_id = ${t.pemdaId} AND s.year = ${Y} AND l.name ~* '^kertas' LIMIT 1`.execute(t.db)
  ).rows[0]?.name;
  assert.ok(word, 'a demo line about paper');
  const found = await get(`/portal/cari?q=${encodeURIComponent('kertsa')}&year=${Y}&stage=murni`);
  assert.equal(found.statusCode, 200);
  assert.ok(found.body.includes(word.split(' ')[0]!), 'kertsa finds Kertas');
  const en = await get('/portal?lang=en');
  assert.match(en.body, /Budget transparency/);
});

test('nothing that is not public appears on any portal page or download', async () => {
  const marker = (n: string) => `RAHASIA${n}ZQX`;
  // a line of the open (draft) 2027 stage
  await sql`UPDATE bud_line SET name = ${marker('DRAFT')} WHERE pemda_id = ${t.pemdaId} AND id = (
      SELECT l.id FROM bud_line l JOIN bud_stage s ON s.pemda_id = l.pemda_id AND s.id = l.stage_id
       WHERE l.pemda_id = ${t.pemdaId} AND s.status = 'open' AND l.kind = 'belanja' ORDER BY l.id LIMIT 1)`.execute(
    t.db,
  );
  // a line of an unapproved sub kegiatan inside the executed year
  const sub = (
    await sql<{
      id: number;
    }>`SELECT sk.id FROM bud_sub_kegiatan sk JOIN bud_stage s ON s.pemda_id = sk.pemda_id AND s.id = sk.stage_id
      WHERE sk.pemda_id = ${t.pemdaId} AND s.year = ${Y} AND s.kind = 'murni' ORDER BY sk.id DESC LIMIT 1`.execute(t.db)
  ).rows[0]!.id;
  await sql`UPDATE bud_sub_kegiatan SET status = 'returned', review_note = ${marker('NOTE')} WHERE pemda_id = ${t.pemdaId} AND id = ${sub}`.execute(
    t.db,
  );
  await sql`UPDATE bud_line SET name = ${marker('UNAPPROVED')} WHERE pemda_id = ${t.pemdaId} AND id = (
      SELECT min(id) FROM bud_line WHERE pemda_id = ${t.pemdaId} AND sub_kegiatan_id = ${sub})`.execute(t.db);
  // a review note on a public line, a pending proposal, a citizen's phone number
  await sql`UPDATE bud_line SET review_note = ${marker('REVIEW')} WHERE pemda_id = ${t.pemdaId} AND id = (
      SELECT min(l.id) FROM bud_line l JOIN bud_stage s ON s.pemda_id = l.pemda_id AND s.id = l.stage_id WHERE l.pemda_id = ${t.pemdaId} AND s.year = ${Y})`.execute(
    t.db,
  );
  await sql`UPDATE pln_proposal SET title = ${marker('PENDING')} WHERE pemda_id = ${t.pemdaId} AND id = (
      SELECT min(id) FROM pln_proposal WHERE pemda_id = ${t.pemdaId} AND status = 'pending')`.execute(t.db);
  await sql`UPDATE pln_proposal SET submitter_contact = '0812RAHASIAPHONE', submitter_name = ${marker('NAME')} WHERE pemda_id = ${t.pemdaId}`.execute(
    t.db,
  );

  const seen = new Set<string>();
  const queue = [
    '/portal',
    `/portal/data/${Y}/murni/lines.csv`,
    `/portal/data/${Y}/murni/lines.json`,
    `/portal/data/${Y}/murni/fdp/belanja.csv`,
  ];
  const proposalYears = (
    await sql<{ year: number }>`SELECT DISTINCT year FROM pln_proposal WHERE pemda_id = ${t.pemdaId}`.execute(t.db)
  ).rows;
  for (const { year } of proposalYears)
    queue.push(`/portal/data/usulan/${year}/usulan.csv`, `/portal/data/usulan/${year}/usulan.json`);
  queue.push(`/portal/cari?q=RAHASIA&year=${Y}&stage=murni`);
  let pages = 0;
  const perRoute = new Map<string, number>(); // every route, a sample of each (the same code renders the rest)
  const patterns = new Set<string>();
  while (queue.length && pages < 500) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const pattern = url
      .replace(/\?.*$/, '')
      .replace(/\/[\d.]+(?=\/|$)/g, '/N')
      .replace(/\/jejak\/(usulan|sp2d)\/[^/]+$/, '/jejak/$1/X');
    patterns.add(pattern);
    if ((perRoute.get(pattern) ?? 0) >= 25) continue;
    perRoute.set(pattern, (perRoute.get(pattern) ?? 0) + 1);
    const res = await get(url);
    pages++;
    assert.ok(res.statusCode < 500, `${url}: ${res.statusCode}`);
    assert.doesNotMatch(res.body, /RAHASIA[A-Z]*ZQX|RAHASIAPHONE/, `${url} leaks`);
    if (res.statusCode !== 200 || !/html/.test(String(res.headers['content-type']))) continue;
    for (const m of res.body.matchAll(/href="(\/portal[^"#]*)"/g)) {
      const link = m[1]!.replace(/&amp;/g, '&');
      if (/[?&]page=([3-9]|\d\d)/.test(link)) continue; // two pages of each list are enough
      if (!seen.has(link)) queue.push(link);
    }
  }
  assert.ok(pages > 100, `crawled ${pages} portal pages and downloads`);
  for (const route of [
    '/portal/apbd/N/murni/opd/N/sub/N',
    '/portal/jejak/rincian/N',
    '/portal/jejak/usulan/X',
    '/portal/jejak/sp2d/X',
    '/portal/usulan/N',
    '/portal/realisasi/N',
    '/portal/apbd/N/murni/rincian',
  ])
    assert.ok(patterns.has(route), `the crawl reached ${route} (${[...patterns].join(' ')})`);
  for (const m of ['UNAPPROVED', 'DRAFT']) {
    const hit = await get(`/portal/cari?q=${marker(m)}&year=${Y}&stage=murni`);
    assert.match(hit.body, /0 hasil untuk/, `searching ${m} finds nothing`);
    assert.doesNotMatch(hit.body, /id="lines"/);
  }
});
