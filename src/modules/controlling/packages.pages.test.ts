import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestContext } from '../../testing/harness.ts';
import { dpaLines, EXECUTED_YEAR, type PublicLine } from '../budgeting/index.ts';
import { listOpds } from '../master-data/index.ts';

let t: TestContext;
let dinkes: number;
let free: PublicLine[];
const Y = EXECUTED_YEAR;
const URL_NEW = `/controlling/packages/new?year=${Y}`;

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

async function page(user: string, url: string) {
  const s = await t.session(user);
  return t.server.inject({ method: 'GET', url, headers: { ...s.headers, accept: 'text/html' } });
}
async function post(user: string, fields: Array<[string, string]>) {
  const s = await t.session(user);
  const body = new URLSearchParams([...fields, ['_csrf', s.csrf]]).toString();
  return t.server.inject({
    method: 'POST',
    url: URL_NEW,
    headers: { cookie: s.headers.cookie!, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: body,
  });
}
/** The error shown beside a field (its text), or undefined. */
const fieldError = (body: string, f: string) =>
  body.match(new RegExp(`<span class="field-error" id="${f}-error">([^<]*)</span>`))?.[1];
const checked = (body: string, id: string) => new RegExp(`value="${id}" id="line-${id}" checked`).test(body);

test('the form lists the free lines of the OPD DPA; only OPD operators may use it', async () => {
  const res = await page('dinkes.operator', URL_NEW);
  assert.equal(res.statusCode, 200, res.body);
  assert.match(res.body, /id="package-form"/);
  assert.ok(free.length >= 3);
  for (const l of free.slice(0, 3)) assert.ok(res.body.includes(`id="line-${l.id}"`));
  assert.equal((await page('tapd', URL_NEW)).statusCode, 403);
  const list = await page('dinkes.operator', `/controlling/packages?year=${Y}`);
  assert.ok(list.body.includes(`href="/controlling/packages/new?year=${Y}"`), 'the list links to the form');
});

test('errors field by field, values kept', async () => {
  const [a, b] = free as [PublicLine, PublicLine];
  // schema errors: a short name and no method, both named beside their field
  let res = await post('dinkes.operator', [
    ['name', 'ab'],
    ['method', ''],
    ['planned_start', '3'],
    ['planned_end', '5'],
    ['value', ''],
    ['line', a.id],
  ]);
  assert.equal(res.statusCode, 400, res.body);
  assert.ok(fieldError(res.body, 'name'), 'the name is refused beside its field');
  assert.ok(fieldError(res.body, 'method'));
  assert.equal(fieldError(res.body, 'planned_start'), undefined);
  assert.match(res.body, /name="name" required minlength="3" maxlength="300" value="ab"/);
  assert.ok(checked(res.body, a.id), 'the picked line stays picked');
  assert.match(res.body, /<option value="5" selected>5<\/option>/);
  // a rule: the end month before the start month
  res = await post('dinkes.operator', [
    ['name', 'Pengadaan alat uji'],
    ['method', 'tender'],
    ['planned_start', '8'],
    ['planned_end', '2'],
    ['line', a.id],
  ]);
  assert.equal(res.statusCode, 422);
  assert.match(fieldError(res.body, 'planned_end') ?? '', /Bulan selesai tidak boleh sebelum bulan mulai/);
  assert.match(res.body, /value="Pengadaan alat uji"/);
  // the value above the lines' sum, in Indonesian digit grouping
  const sum = BigInt(a.total) + BigInt(b.total);
  const over = (sum + 1n).toLocaleString('id-ID');
  res = await post('dinkes.operator', [
    ['name', 'Pengadaan alat uji'],
    ['method', 'direct'],
    ['planned_start', '2'],
    ['planned_end', '4'],
    ['value', over],
    ['line', a.id],
    ['line', b.id],
  ]);
  assert.equal(res.statusCode, 422);
  assert.match(fieldError(res.body, 'value') ?? '', /melebihi jumlah rinciannya/);
  assert.ok(res.body.includes(`value="${over}"`));
  assert.ok(checked(res.body, a.id) && checked(res.body, b.id));
  // no line picked
  res = await post('dinkes.operator', [
    ['name', 'Pengadaan alat uji'],
    ['method', 'direct'],
    ['planned_start', '2'],
    ['planned_end', '4'],
  ]);
  assert.equal(res.statusCode, 422);
  assert.ok(fieldError(res.body, 'lines'));
  const n = await t.db
    .selectFrom('ctl_package')
    .select((e) => e.fn.countAll<number>().as('n'))
    .where('pemda_id', '=', t.pemdaId)
    .where('name', '=', 'Pengadaan alat uji')
    .executeTakeFirstOrThrow();
  assert.equal(Number(n.n), 0, 'nothing saved by a refused post');
});

test('a valid post saves the package through the service; its lines leave the form', async () => {
  const [, , c, d] = free as [PublicLine, PublicLine, PublicLine, PublicLine];
  const sum = BigInt(c.total) + BigInt(d.total);
  const res = await post('dinkes.operator', [
    ['name', 'Paket dari formulir'],
    ['method', 'e_purchasing'],
    ['planned_start', '4'],
    ['planned_end', '6'],
    ['value', ''],
    ['line', c.id],
    ['line', d.id],
  ]);
  assert.equal(res.statusCode, 201, res.body);
  assert.match(res.body, /Paket &quot;Paket dari formulir&quot; disimpan|Paket "Paket dari formulir" disimpan/);
  const k = await t.db
    .selectFrom('ctl_package')
    .selectAll()
    .where('pemda_id', '=', t.pemdaId)
    .where('name', '=', 'Paket dari formulir')
    .executeTakeFirstOrThrow();
  assert.equal(String(k.value), sum.toString());
  assert.equal(k.opd_id, dinkes);
  assert.equal(k.method, 'e_purchasing');
  assert.ok(!res.body.includes(`id="line-${c.id}"`), 'a line in a package is no longer offered');
  // posting a taken line again is refused beside the lines
  const again = await post('dinkes.operator', [
    ['name', 'Paket kedua'],
    ['method', 'tender'],
    ['planned_start', '4'],
    ['planned_end', '6'],
    ['line', c.id],
  ]);
  assert.equal(again.statusCode, 422);
  assert.match(fieldError(again.body, 'lines') ?? '', /sudah masuk paket/);
  // another OPD's line is not a line of this OPD's DPA
  const disdik = (await listOpds(t.db, t.pemdaId)).find((o) => o.shortName === 'disdik')!.id;
  const foreign = (await dpaLines(t.db, t.pemdaId, Y, disdik))[0]!;
  const other = await post('dinkes.operator', [
    ['name', 'Paket lain'],
    ['method', 'tender'],
    ['planned_start', '4'],
    ['planned_end', '6'],
    ['line', foreign.id],
  ]);
  assert.equal(other.statusCode, 422);
  assert.ok(fieldError(other.body, 'lines'));
});
