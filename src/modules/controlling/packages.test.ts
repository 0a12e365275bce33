import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { dpaLines, EXECUTED_YEAR, type PublicLine } from '../budgeting/index.ts';
import { listOpds } from '../master-data/index.ts';
import { splitTerms } from './packages.service.ts';

let t: TestContext;
let dinkes: number;
let free: PublicLine[];
const Y = EXECUTED_YEAR;
const C = '/api/v1/controlling/packages';

before(async () => {
  t = await testApp();
  dinkes = (await listOpds(t.db, t.pemdaId)).find((o) => o.shortName === 'dinkes')!.id;
  const taken = new Set(
    (await t.db.selectFrom('ctl_package_line').select('line_id').where('pemda_id', '=', t.pemdaId).execute()).map((x) =>
      String(x.line_id),
    ),
  );
  free = (await dpaLines(t.db, t.pemdaId, Y, dinkes)).filter((l) => !taken.has(l.id));
});
after(async () => t?.close());

const schema = (name: string) =>
  JSON.parse(fs.readFileSync(new URL(`../../../test/fixtures/schemas/${name}`, import.meta.url), 'utf8'));
const send = async (method: 'POST' | 'PUT', url: string, user: string, payload: object) =>
  t.server.inject({ method, url, headers: await t.as(user), payload });

test('payment stages split a contract into exact rupiah', () => {
  assert.deepEqual(splitTerms(1000n, [30, 40, 30]), [300n, 400n, 300n]);
  const parts = splitTerms(999_999_999_997n, [33, 33, 34]);
  assert.equal(
    parts.reduce((a, b) => a + b, 0n),
    999_999_999_997n,
  );
});

test('a package groups DPA lines of its OPD; its value never exceeds them; a line belongs to one package', async () => {
  const [a, b] = free as [PublicLine, PublicLine];
  const sum = BigInt(a.total) + BigInt(b.total);
  const body = { year: Y, opd_id: dinkes, name: 'Pengadaan uji', method: 'tender', planned_start: 3, planned_end: 6 };
  const over = await send('POST', C, 'dinkes.operator', {
    ...body,
    lines: [{ line_id: a.id }, { line_id: b.id }],
    value: String(sum + 1n),
  });
  assert.equal(over.statusCode, 422, over.body);
  assert.equal(json(over).fields[0].field, 'value');
  assert.equal((await send('POST', C, 'disdik.operator', { ...body, lines: [{ line_id: a.id }] })).statusCode, 403);
  const other = await send('POST', C, 'dinkes.operator', { ...body, lines: [{ line_id: '999999999' }] });
  assert.equal(other.statusCode, 422);
  const ok = await send('POST', C, 'dinkes.operator', { ...body, lines: [{ line_id: a.id }, { line_id: b.id }] });
  assert.equal(ok.statusCode, 201, ok.body);
  const pkg = json(ok);
  assert.equal(pkg.value, sum.toString());
  assert.equal(pkg.e_procurement, sum > 100_000_000n);
  const again = await send('POST', C, 'dinkes.operator', { ...body, name: 'Lagi', lines: [{ line_id: a.id }] });
  assert.equal(again.statusCode, 422);
  assert.match(json(again).fields[0].message, /sudah masuk paket/);
  // the contract: within the value, stages summing to 100
  const c = `${C}/${pkg.id}/contract`;
  const contract = {
    contract_value: String(sum),
    contract_date: `${Y}-04-01`,
    supplier: 'CV Uji',
    terms: [{ percent: 50 }, { percent: 50 }],
  };
  assert.equal(
    (await send('PUT', c, 'dinkes.operator', { ...contract, contract_value: String(sum + 1n) })).statusCode,
    422,
  );
  assert.equal(
    (await send('PUT', c, 'dinkes.operator', { ...contract, terms: [{ percent: 50 }, { percent: 40 }] })).statusCode,
    422,
  );
  const signed = await send('PUT', c, 'dinkes.operator', contract);
  assert.equal(signed.statusCode, 200, signed.body);
  assert.equal(
    json(signed)
      .terms.reduce((s: bigint, x: { amount: string }) => s + BigInt(x.amount), 0n)
      .toString(),
    sum.toString(),
  );
});

test('the demo marks packages above Rp 100 juta for e-procurement and links realisation to packages', async () => {
  const res = await t.server.inject({ method: 'GET', url: `${C}?year=${Y}`, headers: await t.as('tapd') });
  const rows = json(res).rows as Array<{ value: string; e_procurement: boolean; realised: string; method: string }>;
  assert.ok(rows.length >= 6);
  for (const p of rows) assert.equal(p.e_procurement, BigInt(p.value) > 100_000_000n);
  assert.ok(
    rows.some((p) => p.realised !== '0'),
    'realisation linked to packages',
  );
  assert.ok(new Set(rows.map((p) => p.method)).size >= 2);
});

test('packages are published as an OCDS 1.1 release package valid against the shipped schemas', async () => {
  const res = await t.server.inject({ method: 'GET', url: `/portal/data/${Y}/ocds.json` });
  assert.equal(res.statusCode, 200, res.body);
  const pkg = json(res);
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  ajv.addSchema(schema('ocds-1.1.5-release-schema.json'));
  const release = ajv.getSchema('https://standard.open-contracting.org/schema/1__1__5/release-schema.json')!;
  const validatePackage = ajv.compile(schema('ocds-1.1.5-release-package-schema.json'));
  assert.ok(validatePackage(structuredClone(pkg)), JSON.stringify(validatePackage.errors?.slice(0, 5)));
  assert.ok(pkg.releases.length >= 6);
  const lines = new Set((await dpaLines(t.db, t.pemdaId, Y, dinkes)).map((l) => l.id));
  for (const r of pkg.releases) {
    assert.ok(release(structuredClone(r)), JSON.stringify(release.errors?.slice(0, 5)));
    for (const id of String(r.planning.budget.id).split('+'))
      assert.match(id, /^\d+$/, 'planning.budget.id names DPA lines');
  }
  assert.ok(
    pkg.releases.some((r: { planning: { budget: { id: string } } }) =>
      r.planning.budget.id.split('+').every((id) => lines.has(id)),
    ),
  );
  assert.ok(
    pkg.releases.some((r: { contracts?: unknown[] }) => r.contracts?.length),
    'a contract with its payment stages',
  );
  assert.equal(release({ ocid: 'x' }), false, 'an incomplete release fails');
});
