// Issue #10 finding 15: lenient numbers. z.coerce.number() read [] and "" as 0, "0x10" as 16, "1e3"
// as 1000 and " 7 " as 7. Every module now reads integers through core/number.ts (intIn): each of
// these values sent where an integer is expected — JSON body, query string, path — is a 400 naming
// the field, and nothing is written (the audit log does not grow, no row appears).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { json, testApp, type TestContext } from '../testing/harness.ts';
import { openStage, opdIdOf } from '../modules/budgeting/testing.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
});
after(async () => t?.close());

const auditCount = async () =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM core_audit_log`.execute(t.db)).rows[0]!.n);
const rows = async (table: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(t.db)).rows[0]!.n);

/** What a program might send for an integer: none of it is one. */
const BAD_JSON: unknown[] = [[], '', '0x10', '1e3', ' 7 ', -1, true, '1.000'];
/** The same in a query string ("" / repeated key = an array / hex / exponent / padded / negative). */
const BAD_QUERY: Array<(f: string) => string> = [
  (f) => `${f}=`,
  (f) => `${f}=1&${f}=2`,
  (f) => `${f}=0x10`,
  (f) => `${f}=1e3`,
  (f) => `${f}=%207%20`,
  (f) => `${f}=-1`,
];
/** And in a path segment. */
const BAD_PATH = ['0x10', '1e3', '%207%20', '-1', '%20'];

type Res = Awaited<ReturnType<TestContext['server']['inject']>>;

function assertNamed(res: Res, field: string, what: string) {
  assert.equal(res.statusCode, 400, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const body = json(res);
  const fields = (body.fields ?? []) as Array<{ field: string; message: string }>;
  const hit = fields.find((f) => f.field === field);
  assert.ok(hit, `${what}: the error names ${field}: ${res.body.slice(0, 300)}`);
  assert.ok(hit.message && !/^Invalid input/.test(hit.message), `${what}: a translated message: ${hit.message}`);
}

/** Every bad value in `field` of an otherwise valid JSON body: a 400 naming the field, nothing written. */
async function refusesJson(
  headers: Record<string, string>,
  method: 'POST' | 'PUT' | 'PATCH',
  url: string,
  base: Record<string, unknown>,
  field: string,
  table?: string,
) {
  const audit = await auditCount();
  const count = table ? await rows(table) : 0;
  for (const bad of BAD_JSON) {
    const res = await t.server.inject({ method, url, headers, payload: { ...base, [field]: bad } });
    assertNamed(res, field, `${method} ${url} ${field}=${JSON.stringify(bad)}`);
  }
  assert.equal(await auditCount(), audit, `${method} ${url}: nothing audited`);
  if (table) assert.equal(await rows(table), count, `${method} ${url}: no ${table} row`);
}

async function refusesQuery(headers: Record<string, string>, path: string, field: string, rest = '') {
  const audit = await auditCount();
  for (const q of BAD_QUERY) {
    const url = `${path}?${q(field)}${rest ? `&${rest}` : ''}`;
    const res = await t.server.inject({ method: 'GET', url, headers: { ...headers, accept: 'application/json' } });
    assertNamed(res, field, `GET ${url}`);
  }
  assert.equal(await auditCount(), audit, `GET ${path}: nothing audited`);
}

async function refusesPath(headers: Record<string, string>, method: string, url: (v: string) => string, field: string) {
  const audit = await auditCount();
  for (const bad of BAD_PATH) {
    const res = await t.server.inject({
      method: method as 'GET',
      url: url(bad),
      headers: { ...headers, accept: 'application/json' },
      ...(method === 'GET' ? {} : { payload: {} }),
    });
    assertNamed(res, field, `${method} ${url(bad)}`);
  }
  assert.equal(await auditCount(), audit, `${method} ${url('x')}: nothing audited`);
}

const opdId = async (code?: string) => {
  let q = t.db.selectFrom('md_organisation').select('id').where('pemda_id', '=', t.pemdaId);
  if (code) q = q.where('code', '=', code);
  return (await q.orderBy('id').executeTakeFirstOrThrow()).id as number;
};

test('a strict integer: the canonical forms are still read', async () => {
  const admin = await t.as('admin');
  for (const v of ['1', '50'])
    assert.equal(
      (await t.server.inject({ method: 'GET', url: `/api/v1/users?limit=${v}&offset=0`, headers: admin })).statusCode,
      200,
      v,
    );
});

test('planning: JSON bodies, query strings and paths refuse lenient numbers', async () => {
  const bappeda = await t.as('bappeda');
  const weights = { urgency: 20, beneficiaries: 20, alignment: 20, readiness: 20, cost: 10, carry_over: 10 };
  await refusesJson(bappeda, 'PUT', '/api/v1/planning/priority-weights', weights, 'urgency');
  await refusesJson(bappeda, 'PUT', '/api/v1/planning/priority-weights', weights, 'carry_over');
  const opd = await opdId();
  await refusesJson(bappeda, 'POST', '/api/v1/planning/renja', { year: 2027, opd_id: opd }, 'opd_id', 'pln_renja');
  await refusesJson(bappeda, 'POST', '/api/v1/planning/renja', { year: 2027, opd_id: opd }, 'year', 'pln_renja');
  await refusesQuery(bappeda, '/api/v1/planning/proposals', 'offset');
  await refusesQuery(bappeda, '/api/v1/planning/proposals', 'opd_id');
  await refusesQuery(bappeda, '/api/v1/planning/renja', 'year');
  await refusesPath(bappeda, 'GET', (v) => `/api/v1/planning/cascade/goal/${v}?year=2027`, 'id');
});

test('controlling: JSON bodies and query strings refuse lenient numbers', async () => {
  const tapd = await t.as('tapd');
  const op = await t.as('dinkes.operator');
  const opd = (
    await t.db
      .selectFrom('usr_user')
      .select('opd_id')
      .where('username', '=', 'dinkes.operator')
      .executeTakeFirstOrThrow()
  ).opd_id!;
  const progress = { year: 2026, opd_id: opd, month: 3, sub_kegiatan_code: '1.02.02.2.01.0001', percent: '10' };
  await refusesJson(op, 'PUT', '/api/v1/controlling/progress', progress, 'month');
  await refusesJson(op, 'PUT', '/api/v1/controlling/progress', progress, 'opd_id');
  await refusesJson(op, 'PUT', '/api/v1/controlling/progress', progress, 'year');
  await refusesQuery(tapd, '/api/v1/controlling/realisation', 'offset');
  await refusesQuery(tapd, '/api/v1/controlling/realisation', 'package_id');
  await refusesQuery(tapd, '/api/v1/controlling/dashboard', 'month');
  await refusesQuery(tapd, '/api/v1/controlling/risk', 'stage_id');
});

test('users: JSON bodies, query strings and paths refuse lenient numbers', async () => {
  const admin = await t.as('admin');
  const base = {
    username: 'strict.numbers',
    password: 'tj8#Lw2q-Vz9m',
    full_name: 'Strict Numbers',
    role: 'opd_operator',
    opd_id: await opdId(),
  };
  await refusesJson(admin, 'POST', '/api/v1/users', base, 'opd_id', 'usr_user');
  await refusesJson(admin, 'POST', '/api/v1/users', base, 'region_id', 'usr_user');
  const u = await t.db
    .selectFrom('usr_user')
    .select(['id', 'version'])
    .where('username', '=', 'bappeda')
    .executeTakeFirstOrThrow();
  await refusesJson(admin, 'PATCH', `/api/v1/users/${u.id}`, { full_name: 'X Y', version: u.version }, 'version');
  await refusesQuery(admin, '/api/v1/users', 'offset');
  await refusesQuery(admin, '/api/v1/users', 'opd_id');
  await refusesPath(admin, 'PATCH', (v) => `/api/v1/users/${v}`, 'id');
});

test('command-center: JSON bodies and query strings refuse lenient numbers', async () => {
  const admin = await t.as('admin');
  const cc = await t.as('cc_operator');
  await refusesJson(admin, 'PUT', '/api/v1/cc/settings', { dup_distance_m: 200, dup_window_min: 60 }, 'dup_distance_m');
  await refusesJson(admin, 'PUT', '/api/v1/cc/settings', { dup_distance_m: 200, dup_window_min: 60 }, 'dup_window_min');
  const category = (
    await t.db.selectFrom('cc_category').select('id').where('pemda_id', '=', t.pemdaId).executeTakeFirstOrThrow()
  ).id;
  await refusesJson(
    cc,
    'POST',
    '/api/v1/cc/incidents',
    { category_id: category, description: 'Pohon tumbang di jalan', priority: 2 },
    'category_id',
    'cc_incident',
  );
  await refusesJson(
    cc,
    'POST',
    '/api/v1/cc/incidents',
    { category_id: category, description: 'Pohon tumbang di jalan', priority: 2 },
    'priority',
    'cc_incident',
  );
  await refusesQuery(cc, '/api/v1/cc/incidents', 'limit');
  await refusesQuery(cc, '/api/v1/cc/duplicates', 'category_id');
});

test('master-data: query strings and paths refuse lenient numbers', async () => {
  const admin = await t.as('admin');
  await refusesQuery(admin, '/api/v1/master-data/organisations', 'page');
  await refusesQuery(admin, '/api/v1/master-data/organisations', 'parent_id');
  await refusesQuery(admin, '/api/v1/master-data/nomenclature', 'year');
  await refusesPath(admin, 'GET', (v) => `/api/v1/master-data/organisations/${v}`, 'id');
});

test('transparency: the public portal refuses lenient numbers in its paths and query strings', async () => {
  const stage = 'murni';
  for (const bad of BAD_PATH) {
    const res = await t.server.inject({
      method: 'GET',
      url: `/portal/apbd/${bad}/${stage}`,
      headers: { accept: 'application/json' },
    });
    assertNamed(res, 'year', `/portal/apbd/${bad}`);
    const opd = await t.server.inject({
      method: 'GET',
      url: `/portal/apbd/2026/${stage}/opd/${bad}`,
      headers: { accept: 'application/json' },
    });
    assertNamed(opd, 'opd', `/portal/apbd/2026/${stage}/opd/${bad}`);
  }
  await refusesQuery({}, `/portal/apbd/2026/${stage}/rincian`, 'page');
  await refusesQuery({}, `/portal/apbd/2026/${stage}/rincian`, 'opd');
});

test('catalogue: JSON bodies and query strings refuse lenient numbers', async () => {
  const op = await t.as('dinkes.operator');
  const tim = await t.as('tim_data');
  const item = await t.db
    .selectFrom('cat_item')
    .select('id')
    .where('pemda_id', '=', t.pemdaId)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  await refusesJson(
    op,
    'POST',
    '/api/v1/catalogue/proposals',
    { item_id: item.id, price: '15000', justification: 'Harga pasar naik sejak Januari.' },
    'item_id',
    'cat_proposal',
  );
  await refusesQuery(tim, '/api/v1/catalogue/items', 'offset');
  await refusesQuery(tim, '/api/v1/catalogue/items', 'year');
  await refusesQuery(tim, '/api/v1/catalogue/proposals', 'item_id');
});

test('budgeting: an OPD input "until" given as a number (-1 = 1969-12-31) or an impossible date is a 400', async () => {
  const tapd = await t.as('tapd');
  const stage = await openStage(t);
  const opd = await opdIdOf(t, 'dinkes');
  const url = `/api/v1/budget/stages/${stage.id}/opds/${opd}/input`;
  const audit = await auditCount();
  for (const bad of [-1, 0, 1700000000000, '', '-1', '1969-12-31', '2026-02-30', [], true]) {
    const res = await t.server.inject({ method: 'PUT', url, headers: tapd, payload: { mode: 'open', until: bad } });
    assertNamed(res, 'until', `until=${JSON.stringify(bad)}`);
  }
  assert.equal(await auditCount(), audit);
  const ok = await t.server.inject({
    method: 'PUT',
    url,
    headers: tapd,
    payload: { mode: 'open', until: '2027-01-31T17:00:00+07:00' },
  });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(new Date(json(ok).input_until).toISOString(), '2027-01-31T10:00:00.000Z');
});
