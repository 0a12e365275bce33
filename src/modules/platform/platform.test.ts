// Many Pemda on one deployment: a platform administrator adds a Pemda with its base data, the demo
// seed fills it (under its own code), its users log in naming it by code or name, and neither
// Pemda ever sees the other's data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, testApp, type TestContext } from '../../testing/harness.ts';
import { allModules } from '../../app.ts';
import { DEMO_PASSWORD, seedDemo } from '../../core/seed.ts';
import { verifyAuditChain } from '../../core/audit/verify.ts';
import { auditKeys, sealAll } from '../../core/audit/seal.ts';
import { createUser, createApiToken } from '../users/index.ts';

let t: TestContext;
before(async () => {
  t = await testApp();
  await createUser(t.db, t.server.registry.system(t.pemdaId, 'test'), {
    username: 'platform',
    password: 'langit-biru-kalsel-7',
    full_name: 'Operator Platform',
    role: 'platform_admin',
  });
});
after(async () => t?.close());

const SECOND = { code: '63.10', name: 'Kabupaten Kedua', kind: 'kabupaten', province: 'Kalimantan Selatan' } as const;

async function login(body: Record<string, unknown>) {
  const res = await t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body });
  const cookie = res.cookies.find((c) => c.name === 'padu_session')?.value;
  return { res, headers: cookie ? { cookie: `padu_session=${cookie}`, 'x-csrf-token': json(res).csrf } : undefined };
}

test('a second Pemda: created by a platform administrator only, seeded, logged in to by code or name, isolated', async () => {
  const platform = { authorization: `Bearer ${await createApiToken(t.db, t.pemdaId, 'platform', 'test')}` };
  const create = (headers: Record<string, string>, payload: object) =>
    t.server.inject({ method: 'POST', url: '/api/v1/platform/pemda', headers, payload });

  // a Pemda's own administrator may not create Pemda
  assert.equal((await create(await t.as('admin'), SECOND)).statusCode, 403);
  // bad input names the field; an existing code is refused
  const bad = await create(platform, { ...SECOND, code: '6310' });
  assert.equal(bad.statusCode, 400);
  assert.equal(json(bad).fields[0].field, 'code');
  const taken = await create(platform, { ...SECOND, code: '99.01' });
  assert.equal(taken.statusCode, 400);
  assert.equal(json(taken).fields[0].field, 'code');

  const res = await create(platform, {
    ...SECOND,
    admin: { username: 'admin', password: 'sungai-amandit-9', full_name: 'Admin Kabupaten Kedua' },
  });
  assert.equal(res.statusCode, 201, res.body);
  const second = json(res).pemda;
  assert.equal(second.active, true);
  assert.equal(json(res).admin.username, 'admin');
  const list = json(await t.server.inject({ method: 'GET', url: '/api/v1/platform/pemda', headers: platform })).rows;
  assert.deepEqual(list.map((p: { code: string }) => p.code).sort(), ['63.10', '99.01']);

  // the demo seed works under any Pemda code (regions are renamed into 63.10.*)
  await seedDemo(t.db, allModules, undefined, t.server.registry, SECOND);

  // log-in names the Pemda by code or by name; with two Pemda, leaving it out is a 400 naming `pemda`
  const byCode = await login({ pemda: '63.10', username: 'bappeda', password: DEMO_PASSWORD });
  assert.equal(byCode.res.statusCode, 200, byCode.res.body);
  const byName = await login({ pemda: ' kabupaten  KEDUA ', username: 'admin', password: 'sungai-amandit-9' });
  assert.equal(byName.res.statusCode, 200, byName.res.body);
  const none = await login({ username: 'bappeda', password: DEMO_PASSWORD });
  assert.equal(none.res.statusCode, 400);
  assert.equal(json(none.res).fields[0].field, 'pemda');
  const unknown = await login({ pemda: 'Kota Entah', username: 'bappeda', password: DEMO_PASSWORD });
  assert.equal(unknown.res.statusCode, 400);
  // the second Pemda's admin password is not the demo Pemda's
  assert.equal((await login({ pemda: '99.01', username: 'admin', password: 'sungai-amandit-9' })).res.statusCode, 401);

  // the log-in page offers both by name (and code), never a numeric id to type
  const page = await t.server.inject({ method: 'GET', url: '/login', headers: { accept: 'text/html' } });
  assert.match(page.body, /<select name="pemda">/);
  assert.match(page.body, /value="63.10"[^>]*>Kabupaten Kedua \(63.10\)/);
  assert.match(page.body, /value="99.01"[^>]*>Kabupaten Demo \(99.01\)/);

  // isolation: each Pemda sees only its own rows, and another Pemda's ids are 404
  const demo = await t.as('bappeda');
  const kedua = byCode.headers!;
  const get = async (headers: Record<string, string>, url: string) => t.server.inject({ method: 'GET', url, headers });
  const listIds = async (headers: Record<string, string>, url: string) => {
    const body = json(await get(headers, url));
    const rows = Object.values(body).find((v) => Array.isArray(v) && v[0]?.id) as Array<{ id: number }>;
    return new Set(rows.map((r) => r.id));
  };
  for (const url of ['/api/v1/master-data/organisations?page_size=500', '/api/v1/budget/stages']) {
    const [a, b] = [await listIds(demo, url), await listIds(kedua, url)];
    assert.ok(a.size > 0 && b.size === a.size, `${url}: ${a.size} vs ${b.size}`);
    assert.ok(
      [...a].every((id) => !b.has(id)),
      url,
    );
    const one = `${url.split('?')[0]}/${[...a][0]}`;
    assert.equal((await get(kedua, one)).statusCode, 404, one);
    assert.equal((await get(demo, one)).statusCode, 200, one);
  }
  const regions = json(await get(kedua, '/api/v1/master-data/regions?page_size=500')).items;
  assert.ok(regions.length > 0 && regions.every((r: { code: string }) => r.code.startsWith('63.10.')));

  const me = json(await get(kedua, '/api/v1/me'));
  assert.equal(me.user.username, 'bappeda');
  // the second Pemda's audit trail holds its own seed and log-ins only
  const audit = json(await get(byName.headers!, '/api/v1/audit?limit=500')).rows as Array<{ actor_name: string }>;
  assert.ok(audit.length > 0);

  // both audit chains verify; the creation is recorded in the platform administrator's Pemda
  const keys = auditKeys(t.config);
  await sealAll(t.db, keys, {});
  assert.equal((await verifyAuditChain(t.db, t.pemdaId, { keys })).ok, true);
  assert.equal((await verifyAuditChain(t.db, second.id, { keys })).ok, true);
});
