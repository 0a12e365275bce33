// The "proposed" phase of the Fiscal Data Package: the latest submission of each approved sub
// kegiatan of the APBD murni, from budgeting's submission snapshots (not the lines as edited).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sql } from 'kysely';
import { parse as parseCsv } from 'csv-parse/sync';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { lineTotals, listSubmissions } from '../budgeting/index.ts';
import { listOpds } from '../master-data/index.ts';

let t: TestContext;
const B = '/api/v1/budget';

before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const act = async (action: string, user: string, id: number, payload: object = {}) => {
  const res = await t.server.inject({
    method: 'POST',
    url: `${B}/sub-kegiatan/${id}/${action}`,
    headers: await t.as(user),
    payload,
  });
  assert.equal(res.statusCode, 200, `${action}: ${res.body}`);
  return json(res);
};
const get = (url: string) => t.server.inject({ method: 'GET', url });
const schema = () =>
  JSON.parse(
    fs.readFileSync(new URL('../../../test/fixtures/schemas/fiscal-data-package.schema.json', import.meta.url), 'utf8'),
  );

test('proposed = the latest submission of each approved sub kegiatan; the package still validates and approved = the public APBD summary', async () => {
  // the open demo stage (APBD 2027): a draft Dinkes sub kegiatan goes submit → return → edit → submit → approve
  const stages = json(await t.server.inject({ method: 'GET', url: `${B}/stages`, headers: await t.as('tapd') }));
  const stage = stages.stages.find((s: { status: string }) => s.status === 'open');
  assert.equal(stage.kind, 'murni');
  const dinkes = (await listOpds(t.db, t.pemdaId)).find((o) => o.shortName === 'dinkes')!;
  const subs = json(
    await t.server.inject({
      method: 'GET',
      url: `${B}/stages/${stage.id}/opds/${dinkes.id}`,
      headers: await t.as('tapd'),
    }),
  ).sub_kegiatan;
  const target = subs.find((s: { status: string; lines: number }) => s.status === 'draft' && s.lines > 0);
  assert.ok(target, 'a draft sub kegiatan with lines');
  await act('submit', 'dinkes.head', target.id);
  await act('return', 'tapd', target.id, { note: 'Volume terlalu besar' });
  const detail = json(
    await t.server.inject({ method: 'GET', url: `${B}/sub-kegiatan/${target.id}`, headers: await t.as('tapd') }),
  );
  const line = detail.lines.find((l: { travel_id: number | null }) => l.travel_id === null);
  const patched = await t.server.inject({
    method: 'PATCH',
    url: `${B}/lines/${line.id}`,
    headers: await t.as('dinkes.operator'),
    payload: { version: line.version, factors: [{ v: '1', u: line.factors[0].u }] },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  await act('submit', 'dinkes.head', target.id);
  await act('approve', 'tapd', target.id);
  const [latest, first] = await listSubmissions(t.db, t.pemdaId, target.id);
  assert.equal(latest!.number, 2);
  assert.notEqual(latest!.total, first!.total, 'the two submissions differ');

  // the stage is closed (legally final): it is public from now on
  const closed = await t.server.inject({
    method: 'POST',
    url: `${B}/stages/${stage.id}/close`,
    headers: await t.as('tapd'),
  });
  assert.equal(closed.statusCode, 200, closed.body);

  const dpRes = await get(`/portal/data/${stage.year}/murni/fdp/datapackage.json`);
  assert.equal(dpRes.statusCode, 200, dpRes.body);
  const dp = json(dpRes);
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  ajv.addFormat('textarea', true);
  const validate = ajv.compile(schema());
  assert.ok(validate(structuredClone(dp)), JSON.stringify(validate.errors?.slice(0, 5)));
  assert.deepEqual(dp.model.measures.proposed, {
    source: 'proposed',
    currency: 'IDR',
    direction: 'expenditure',
    phase: 'proposed',
  });
  const rows = parseCsv((await get(`/portal/data/${stage.year}/murni/fdp/belanja.csv`)).body, {
    columns: true,
  }) as Array<Record<string, string>>;
  assert.deepEqual(
    Object.keys(rows[0]!),
    dp.resources[0].schema.fields.map((f: { name: string }) => f.name),
  );

  // the target's rows: proposed = its latest submission per account × funding source, not the first
  const mine = rows.filter((r) => r.opd_code === dinkes.code && r.sub_kegiatan_code === target.code);
  const fundCode = new Map(
    (
      await sql<{
        id: number;
        code: string;
      }>`SELECT id, code FROM md_funding_source WHERE pemda_id = ${t.pemdaId}`.execute(t.db)
    ).rows.map((f) => [Number(f.id), f.code]),
  );
  const asMap = (s: typeof latest) =>
    new Map(
      s!.amounts.map((a) => [
        `${a.account_code}|${a.funding_source_id ? fundCode.get(a.funding_source_id) : ''}`,
        a.amount,
      ]),
    );
  const got = new Map(
    mine.filter((r) => r.proposed !== '0').map((r) => [`${r.account_code}|${r.funding_source_code}`, r.proposed]),
  );
  assert.deepEqual(got, asMap(latest));
  assert.notDeepEqual(got, asMap(first));
  // approved and proposed agree for it (lines are locked from the submit to the approval)
  assert.ok(mine.every((r) => r.proposed === r.approved));

  // totals: proposed = the latest submissions of the approved sub kegiatan; approved = the APBD summary
  const sum = (k: string) => rows.reduce((s, r) => s + BigInt(r[k]!), 0n).toString();
  const expected = await sql<{ s: string }>`
    SELECT coalesce(sum(s.total), 0)::text AS s FROM bud_submission s
      JOIN bud_sub_kegiatan sk ON sk.pemda_id = s.pemda_id AND sk.id = s.sub_kegiatan_id AND sk.status = 'approved'
     WHERE s.pemda_id = ${t.pemdaId} AND s.stage_id = ${stage.id}
       AND s.number = (SELECT max(number) FROM bud_submission x WHERE x.pemda_id = s.pemda_id AND x.sub_kegiatan_id = s.sub_kegiatan_id)`.execute(
    t.db,
  );
  assert.equal(sum('proposed'), expected.rows[0]!.s);
  assert.ok(BigInt(sum('proposed')) > 0n);
  // the public APBD summary of the stage (approved sub kegiatan only: others of 2027 are still drafts)
  const summary = (await lineTotals(t.db, t.pemdaId, stage.id, 'kind')).find((x) => x.key === 'belanja');
  assert.equal(sum('approved'), summary?.total);
});
